export * from './grpo-step.js';
export * from './ppo-metrics.js';
export * from './ppo-step.js';
export * from './sft-step.js';
export * from './stepper.js';
export * from './types.js';
