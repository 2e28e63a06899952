export { type BatcherStats, type BatchRunner, MicroBatcher, type MicroBatcherOptions } from './batcher.js';
export {
  DEFAULT_BATCH_WAIT_MS,
  DEFAULT_MAX_BATCH_TOKENS,
  parseRewardModelTable,
  REWARD_MODELS_ENV,
  type RewardModelEntry,
  type RewardModelTable,
  rewardModelTableFromEnv,
  toRewardModelTable,
} from './config.js';
export {
  BAD_MODEL_FOLDER,
  MODEL_CONFIG,
  MODEL_NOT_FOUND,
  MODEL_UNSUPPORTED,
  RewardModelError,
} from './errors.js';
export {
  KNOWN_INPUTS,
  type LoadedRewardModel,
  labelsOf,
  loadRewardModel,
  MAX_MODEL_BYTES,
} from './loader.js';
export {
  closeRewardModels,
  configureRewardModels,
  RewardModelSet,
  rewardModels,
  type ServedRewardModel,
  warmRewardModels,
} from './models.js';
export {
  type EncodedItem,
  encodeForRewardModel,
  labelIndex,
  MAX_BATCH_SIZE,
  MAX_TOKENS_LIMIT,
  normalizeLogit,
  RewardModelParams,
  rewardModelReward,
  scoreRewardModel,
} from './reward.js';
