export * from './balanced.js';
export * from './errors.js';
export type { paths as RewardPaths } from './generated/reward.generated.js';
export * from './http.js';
export * from './retry-fetch.js';
export * from './reward-client.js';
