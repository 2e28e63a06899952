export * from './advantages.js';
export * from './dapo.js';
export * from './kl.js';
export * from './policy-loss.js';
export * from './registry.js';
