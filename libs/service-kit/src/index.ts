export * from './config.js';
export * from './error-handler.js';
export * from './errors.js';
export * from './load-shedding.js';
export * from './metrics.js';
export * from './readiness.js';
export * from './server.js';
