export * from './errors.js';
export { DEFAULT_LIMITS, LIMIT_BOUNDS } from './limits.js';
export { SandboxPool, type SandboxPoolOptions, type SandboxPoolStats } from './pool.js';
export { closeSandboxPool, getSandboxPool } from './shared.js';
export { transpileTypeScript } from './transpile.js';
export type * from './types.js';
