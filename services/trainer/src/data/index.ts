export * from './arithmetic.js';
export * from './example.js';
export * from './jsonl.js';
export * from './multiplication.js';
