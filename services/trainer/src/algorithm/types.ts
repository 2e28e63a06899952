/** One sampled completion of a group, as the rollout service returned it and the reward service scored it. */
export interface CompletionSample {
  /** Generated token ids (an EOS id at the end when generation stopped on one). */
  tokenIds: readonly number[];
  /**
   * Per token, log p under the sampling policy at the sampling temperature (the "old" policy of
   * the ratio). Omitted: recomputed by the trainer before the update.
   */
  logprobs?: readonly number[];
  /**
   * Per token, 1 where the policy sampled it and 0 where it did not (tool output of a
   * tool-integrated rollout); omitted: all 1. Masked tokens stay in the sequence as context
   * and count nowhere: not in the loss, KL, entropy, clip fraction, any normaliser, the
   * length metrics or overlong shaping. All zero: the completion keeps its reward in the group
   * baseline but trains on nothing (void-turn and tool-infrastructure trajectories).
   */
  lossMask?: readonly number[];
  /** Weighted total of the reward functions. */
  rewardTotal: number;
  /** Each reward function's value, by name (reported as means, not trained on). */
  rewardComponents?: Readonly<Record<string, number>>;
}

/** The G completions of one prompt. */
export interface GroupBatch {
  promptIds: readonly number[];
  completions: readonly CompletionSample[];
}

/**
 * What a GRPO step reports. Names are fixed (the run's metrics.jsonl and the dashboard use
 * them); per-token averages are over completion tokens.
 */
export interface GrpoStepMetrics {
  /** Mean and (population) std of the total reward over every completion, before shaping. */
  reward_mean: number;
  reward_std: number;
  /** Mean of each reward component over the completions that report it. */
  reward_components: Record<string, number>;
  /** Mean reward after overlong shaping and KL-in-reward (what the advantages saw). */
  reward_shaped_mean: number;
  /** Mean |advantage| over the trained completions. */
  advantage_abs_mean: number;
  /** Loss of the graph before each update, averaged over updates. */
  loss: number;
  /** Clipped-surrogate term alone (host reference, before the first update). */
  pg_loss: number;
  /** Mean KL estimate to the reference (the configured estimator), 0 without a reference. */
  kl: number;
  /** Mean policy entropy (nats) at the completion positions. */
  entropy: number;
  /** Share of completion tokens whose ratio was outside the clip range, averaged over updates. */
  clip_fraction: number;
  /** Global gradient norm before clipping, averaged over updates. */
  grad_norm: number;
  /** Lengths in model tokens (lossMask 1); tool-output tokens are not counted. */
  completion_length_mean: number;
  completion_length_min: number;
  completion_length_max: number;
  /** Groups whose rewards were all equal (zero advantage under a group baseline) / groups. */
  zero_std_group_fraction: number;
  /** Groups dropped by dynamic sampling (DAPO). */
  groups_dropped: number;
  /** Completions the update trained on. */
  sequences: number;
  /** Completion tokens trained on (model tokens only). */
  tokens: number;
  /** Completion tokens per second of the whole step. */
  tokens_per_s: number;
  /** Optimizer updates taken by this step (epochs x mini-batches; 0 when every group was dropped). */
  updates: number;
  /** Wall time split in milliseconds. */
  time_score_ms: number;
  time_reference_ms: number;
  time_advantage_ms: number;
  time_update_ms: number;
  time_total_ms: number;
}

export interface GrpoStepResult {
  metrics: GrpoStepMetrics;
  /** Optimizer steps taken since creation (the policy version after this step). */
  version: number;
}
