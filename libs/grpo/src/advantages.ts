/**
 * Advantage estimators for outcome rewards (one scalar reward per completion). Pure functions over
 * groups: `rewards[g][i]` is the reward of completion i of prompt g. The advantage of a completion is
 * broadcast to all of its tokens by the policy loss.
 */

/** Where the standard deviation that divides advantages is taken. */
export type StdScope = 'group' | 'batch' | 'none';

export interface AdvantageOptions {
  /** Added to the std before dividing (GRPO, DeepSeekMath eq. 3 uses a small epsilon). */
  eps: number;
  /** GRPO: `group` (DeepSeekMath), `batch` (REINFORCE++-style), `none` (Dr. GRPO, arXiv:2503.20783). */
  stdScope: StdScope;
}

export interface AdvantageResult {
  /** `advantages[g][i]`, same shape as the rewards. */
  advantages: number[][];
  /** Groups whose rewards are all equal (no learning signal under group baselines). */
  zeroStdGroups: number;
  /** Groups with a single completion (no baseline can be formed from the group). */
  singletonGroups: number;
}

export interface AdvantageEstimator {
  name: string;
  description: string;
  /** The paper or reference implementation the formula follows. */
  reference: string;
  compute(rewards: readonly (readonly number[])[], options: AdvantageOptions): AdvantageResult;
}

export const defaultAdvantageOptions: Readonly<AdvantageOptions> = Object.freeze({
  eps: 1e-6,
  stdScope: 'group',
});

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : 0;
}

/** Unbiased (n-1) standard deviation, as torch.std in verl/TRL; 0 for fewer than two values. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

function countDegenerate(rewards: readonly (readonly number[])[]) {
  let zeroStdGroups = 0;
  let singletonGroups = 0;
  for (const g of rewards) {
    if (g.length === 1) singletonGroups++;
    else if (g.every((r) => r === g[0])) zeroStdGroups++;
  }
  return { zeroStdGroups, singletonGroups };
}

function checkRewards(rewards: readonly (readonly number[])[]): void {
  rewards.forEach((g, gi) => {
    if (g.length === 0) throw new RangeError(`rewards[${gi}] is an empty group`);
    g.forEach((r, i) => {
      if (!Number.isFinite(r)) throw new RangeError(`rewards[${gi}][${i}] is not a finite number: ${r}`);
    });
  });
}

/** Divides by std + eps, where the std is taken over the scope; `none` leaves values as they are. */
function scaleByStd(
  centered: number[][],
  raw: readonly (readonly number[])[],
  o: AdvantageOptions,
): number[][] {
  if (o.stdScope === 'none') return centered;
  if (o.stdScope === 'batch') {
    const s = std(raw.flat());
    return centered.map((g) => g.map((a) => a / (s + o.eps)));
  }
  return centered.map((g, gi) => {
    const s = std(raw[gi] as readonly number[]);
    return g.map((a) => a / (s + o.eps));
  });
}

/** GRPO (DeepSeekMath, arXiv:2402.03300 §4.1.2): (r - mean_group) / (std + eps). */
export const grpo: AdvantageEstimator = {
  name: 'grpo',
  description: 'Group-relative: subtract the group mean, divide by the std (group, batch or none).',
  reference: 'DeepSeekMath, arXiv:2402.03300',
  compute(rewards, options) {
    checkRewards(rewards);
    const centered = rewards.map((g) => {
      const m = mean(g);
      return g.map((r) => r - m);
    });
    return { advantages: scaleByStd(centered, rewards, options), ...countDegenerate(rewards) };
  },
};

/** Dr. GRPO (arXiv:2503.20783): GRPO without the std division, which biases towards easy/hard questions. */
export const drGrpo: AdvantageEstimator = {
  name: 'dr_grpo',
  description: 'GRPO without std normalization: r - mean_group.',
  reference: 'Understanding R1-Zero-Like Training (Dr. GRPO), arXiv:2503.20783',
  compute(rewards, options) {
    return grpo.compute(rewards, { ...options, stdScope: 'none' });
  },
};

/** RLOO (Ahmadian et al., arXiv:2402.14740): baseline is the mean of the other completions of the group. */
export const rloo: AdvantageEstimator = {
  name: 'rloo',
  description:
    'REINFORCE leave-one-out: r_i - mean of the other rewards in the group (0 for a group of one).',
  reference: 'Back to Basics: REINFORCE Style Optimization, arXiv:2402.14740',
  compute(rewards) {
    checkRewards(rewards);
    const advantages = rewards.map((g) => {
      const n = g.length;
      if (n < 2) return g.map(() => 0);
      let sum = 0;
      for (const r of g) sum += r;
      return g.map((r) => r - (sum - r) / (n - 1));
    });
    return { advantages, ...countDegenerate(rewards) };
  },
};

function whiten(advantages: number[][], eps: number): number[][] {
  const flat = advantages.flat();
  const m = mean(flat);
  const s = std(flat);
  return advantages.map((g) => g.map((a) => (a - m) / (s + eps)));
}

/** REINFORCE++ (Hu, arXiv:2501.03262): no per-prompt baseline; rewards whitened over the whole batch. */
export const reinforcePlusPlus: AdvantageEstimator = {
  name: 'reinforce_pp',
  description: 'REINFORCE++: rewards normalized by the batch mean and std (global whitening).',
  reference: 'REINFORCE++, arXiv:2501.03262',
  compute(rewards, options) {
    checkRewards(rewards);
    return {
      advantages: whiten(
        rewards.map((g) => [...g]),
        options.eps,
      ),
      ...countDegenerate(rewards),
    };
  },
};

/** REINFORCE++-baseline (OpenRLHF `reinforce_baseline`): group mean subtracted, then batch whitening. */
export const reinforcePlusPlusBaseline: AdvantageEstimator = {
  name: 'reinforce_pp_baseline',
  description: 'REINFORCE++-baseline: subtract the group mean, then normalize by the batch std.',
  reference: 'REINFORCE++, arXiv:2501.03262 (OpenRLHF reinforce_baseline)',
  compute(rewards, options) {
    checkRewards(rewards);
    const centered = rewards.map((g) => {
      const m = mean(g);
      return g.map((r) => r - m);
    });
    return { advantages: whiten(centered, options.eps), ...countDegenerate(rewards) };
  },
};
