import { createDefaultRegistry, type RewardRegistry } from '@grpo/rewards';

/**
 * The registry module pool workers load by default. A registry module exports
 * `createRegistry()`; pass another one as the app's `registryModule` to serve custom functions.
 */
export function createRegistry(): RewardRegistry {
  return createDefaultRegistry();
}
