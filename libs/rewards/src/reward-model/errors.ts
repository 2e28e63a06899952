/** Errors of the reward-model function: a stable `code` and the `field` at fault. */
export class RewardModelError extends Error {
  readonly code: string;
  /** The env var, model-table key, file or param at fault, e.g. `GRPO_REWARD_MODELS.helpful.path`. */
  readonly field: string;
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RewardModelError';
    this.code = code;
    this.field = field;
  }
}

/** The model table (env `GRPO_REWARD_MODELS` or `configureRewardModels`) is malformed. */
export const MODEL_CONFIG = 'GRPO_REWARD_MODEL_CONFIG';
/** A model name that is not in the table. */
export const MODEL_NOT_FOUND = 'GRPO_REWARD_MODEL_NOT_FOUND';
/** The model folder lacks a file or holds one that cannot be used (config.json, tokenizer, model.onnx). */
export const BAD_MODEL_FOLDER = 'GRPO_REWARD_MODEL_BAD_FOLDER';
/** The ONNX model has inputs or outputs this function does not know how to feed or read. */
export const MODEL_UNSUPPORTED = 'GRPO_REWARD_MODEL_UNSUPPORTED';
