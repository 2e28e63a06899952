export * from './default-registry.js';
export * from './errors.js';
export * from './registry.js';
export type * from './types.js';
