export * from './errors.js';
export * from './health.js';
export * from './reward.js';
export * from './rollout.js';
export * from './tools.js';
export * from './trainer.js';
