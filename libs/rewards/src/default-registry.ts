import { accuracy } from './accuracy/accuracy.js';
import { codeReward } from './code/code.js';
import {
  formatReward,
  languageConsistencyReward,
  lengthReward,
  repetitionReward,
  tagsReward,
} from './functions/index.js';
import { RewardRegistry } from './registry.js';
import { rewardModelReward } from './reward-model/reward.js';
import type { RewardFunction } from './types.js';

/**
 * The built-in reward functions, in the order they are documented. Each module exports its
 * function object; add new ones here.
 */
export const builtinRewardFunctions: RewardFunction<never>[] = [
  accuracy,
  formatReward,
  tagsReward,
  languageConsistencyReward,
  lengthReward,
  repetitionReward,
  codeReward,
  rewardModelReward,
];

/** A fresh registry holding every built-in reward function. */
export function createDefaultRegistry(): RewardRegistry {
  const registry = new RewardRegistry();
  for (const fn of builtinRewardFunctions) registry.register(fn);
  return registry;
}
