export * from './errors.js';
export * from './examples.js';
export * from './health.js';
export * from './reward.js';
export * from './rollout.js';
export * from './trainer.js';
