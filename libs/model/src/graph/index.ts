export * from './critic.js';
export * from './feeds.js';
export * from './graphs.js';
export * from './kv-cache.js';
export * from './ops.js';
export * from './scorer.js';
export * from './train.js';
export * from './transformer.js';
