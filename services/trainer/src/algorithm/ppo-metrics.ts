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

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** The batch-level metrics every PPO step has, with the rest zeroed for the step to fill. */
export function baseMetrics(
  batch: readonly GroupBatch[],
  raw: readonly (readonly number[])[],
  shaped: readonly (readonly number[])[],
  keptGroups: number,
): PpoStepMetrics {
  const flat = raw.flat();
  const lengths = batch.flatMap((g) => g.completions.map((c) => c.tokenIds.length));
  const mean = sum(flat) / flat.length;
  const components: Record<string, number[]> = {};
  for (const g of batch)
    for (const c of g.completions)
      for (const [k, v] of Object.entries(c.rewardComponents ?? {})) {
        const list = components[k] ?? [];
        list.push(v);
        components[k] = list;
      }
  return {
    reward_mean: mean,
    reward_std: Math.sqrt(sum(flat.map((r) => (r - mean) ** 2)) / flat.length),
    reward_components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, sum(v) / v.length])),
    reward_shaped_mean: sum(shaped.flat()) / flat.length,
    advantage_abs_mean: 0,
    loss: 0,
    pg_loss: 0,
    kl: 0,
    entropy: 0,
    clip_fraction: 0,
    grad_norm: 0,
    completion_length_mean: sum(lengths) / lengths.length,
    completion_length_min: Math.min(...lengths),
    completion_length_max: Math.max(...lengths),
    zero_std_group_fraction:
      raw.filter((g) => g.length > 1 && g.every((r) => r === g[0])).length / raw.length,
    groups_dropped: batch.length - keptGroups,
    sequences: 0,
    tokens: 0,
    tokens_per_s: 0,
    updates: 0,
    time_score_ms: 0,
    time_reference_ms: 0,
    time_advantage_ms: 0,
    time_update_ms: 0,
    time_total_ms: 0,
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
