/** Errors of libs/rewards. Codes are stable; the reward service maps them to HTTP statuses. */
export class RewardSpecError extends Error {
  readonly code: string;
  /** The JSON path of the offending field, e.g. `rewards[2].name`. */
  readonly field: string;
  constructor(code: string, field: string, message: string) {
    super(message);
    this.name = 'RewardSpecError';
    this.code = code;
    this.field = field;
  }
}

export const UNKNOWN_FN = 'GRPO_REWARD_UNKNOWN_FN';
export const DUPLICATE_FN = 'GRPO_REWARD_DUPLICATE_FN';
export const BAD_PARAMS = 'GRPO_REWARD_BAD_PARAMS';
