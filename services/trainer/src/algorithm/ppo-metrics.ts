import { batchMetrics } from './batch-metrics.js';
import type { GroupBatch, GrpoStepMetrics } from './types.js';

/**
 * What a PPO step reports: every GRPO step metric (same names and meaning; `loss`, `grad_norm`
 * and `clip_fraction` are the policy's, 0 during critic warm-up) plus the critic's. Names are
 * fixed: metrics.jsonl and the dashboard use them.
 */
export interface PpoStepMetrics extends GrpoStepMetrics {
  /** Clipped value loss before each critic update (times valueCoef), averaged over updates. */
  value_loss: number;
  /** Share of action tokens where the clipped value term was the larger one, averaged over updates. */
  value_clip_fraction: number;
  /** 1 - Var(returns - values) / Var(returns) over the action tokens, before the update. */
  explained_variance: number;
  /** Mean critic value over the action tokens, before the update. */
  value_mean: number;
  /** Mean GAE return (the critic's target) over the action tokens. */
  return_mean: number;
  /** Mean and (population) std of the GAE advantages over the action tokens, before whitening. */
  advantage_mean: number;
  advantage_std: number;
  /** Critic gradient norm before clipping, averaged over updates. */
  critic_grad_norm: number;
  /** Critic optimizer updates of this step. */
  critic_updates: number;
  /** 1 when this step trained the critic alone (`critic.warmupSteps`), else 0. */
  critic_warmup: number;
  /** Wall time of the critic's value forward. */
  time_value_ms: number;
}

/** The batch-level metrics every PPO step has (`batchMetrics`), with the critic's zeroed for the step to fill. */
export function baseMetrics(
  batch: readonly GroupBatch[],
  raw: readonly (readonly number[])[],
  shaped: readonly (readonly number[])[],
  keptGroups: number,
): PpoStepMetrics {
  return {
    ...batchMetrics(batch, raw, shaped, keptGroups, {
      length: (c) => c.tokenIds.length,
      singletonFlat: false,
    }),
    value_loss: 0,
    value_clip_fraction: 0,
    explained_variance: 0,
    value_mean: 0,
    return_mean: 0,
    advantage_mean: 0,
    advantage_std: 0,
    critic_grad_norm: 0,
    critic_updates: 0,
    critic_warmup: 0,
    time_value_ms: 0,
  };
}
