import type { RewardItemResult } from '@grpo/contracts';

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Population standard deviation (as GRPO's group normalisation uses). */
export function stdev(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

export interface RewardSummary {
  rewardMean: number;
  rewardStd: number;
  /** Unweighted score per reward function. */
  rewards: Record<string, { mean: number; std: number }>;
  /** Mean score of the accuracy component; null when the spec has none. */
  accuracy: number | null;
}

/** Summarises reward results: totals, every component's unweighted score, the accuracy component. */
export function summariseRewards(results: readonly RewardItemResult[], accuracyName: string): RewardSummary {
  const totals = results.map((r) => r.total);
  const byName = new Map<string, number[]>();
  for (const r of results) {
    for (const c of r.components) {
      const list = byName.get(c.name) ?? [];
      list.push(c.score);
      byName.set(c.name, list);
    }
  }
  const rewards: Record<string, { mean: number; std: number }> = {};
  for (const [name, xs] of byName) rewards[name] = { mean: mean(xs), std: stdev(xs) };
  return {
    rewardMean: mean(totals),
    rewardStd: stdev(totals),
    rewards,
    accuracy: rewards[accuracyName]?.mean ?? null,
  };
}

/** Share of groups whose rewards are all equal: they carry no GRPO signal (DAPO, Yu et al. 2025, §3.2). */
export function zeroStdFraction(groups: readonly (readonly number[])[]): number {
  if (groups.length === 0) return 0;
  const flat = groups.filter((g) => g.every((x) => x === g[0])).length;
  return flat / groups.length;
}
