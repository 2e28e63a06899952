export * from './accuracy/index.js';
export * from './code/index.js';
export * from './default-registry.js';
export * from './errors.js';
export * from './functions/index.js';
export * from './registry.js';
export * from './reward-model/index.js';
export type * from './types.js';
