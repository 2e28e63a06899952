import type { GroupBatch, GrpoStepMetrics } from './types.js';

type Completion = GroupBatch['completions'][number];

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The batch-level metrics every policy step reports (GRPO-family and PPO): reward mean, std and
 * components, shaped reward, completion lengths (`length` of each completion: GRPO counts model
 * tokens only, PPO every token), the share of flat groups and the groups dropped; the rest
 * zeroed for the step to fill. `singletonFlat`: whether a one-completion group counts as flat
 * (GRPO's group baseline gives it no signal; PPO's critic does).
 */
export function batchMetrics(
  batch: readonly GroupBatch[],
  raw: readonly (readonly number[])[],
  shaped: readonly (readonly number[])[],
  keptGroups: number,
  o: { length: (c: Completion) => number; singletonFlat: boolean },
): GrpoStepMetrics {
  const flat = raw.flat();
  const lengths = batch.flatMap((g) => g.completions.map(o.length));
  const mean = sum(flat) / flat.length;
  const components: Record<string, number[]> = {};
  for (const g of batch)
    for (const c of g.completions)
      for (const [k, v] of Object.entries(c.rewardComponents ?? {})) {
        const list = components[k] ?? [];
        list.push(v);
        components[k] = list;
      }
  const flatGroups = raw.filter((g) => (o.singletonFlat || g.length > 1) && g.every((r) => r === g[0]));
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
    zero_std_group_fraction: flatGroups.length / raw.length,
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
  };
}
