import { AlgorithmInputError } from './errors.js';
import { type KlEstimator, klPerToken } from './kl.js';

/**
 * KL to the reference as a reward penalty (InstructGPT arXiv:2203.02155 eq. 2; REINFORCE++
 * arXiv:2501.03262 and TRL's RLOO put it there): each completion's reward becomes
 *   r - coef * sum_t k(logp_t, refLogp_t)
 * before advantages are computed, so the penalty is shared by the group baseline like any
 * other reward. Returns the shaped rewards and the per-sequence KL sums (for metrics).
 */
export function klShapedRewards(
  rewards: readonly (readonly number[])[],
  logp: readonly (readonly (readonly number[])[])[],
  refLogp: readonly (readonly (readonly number[])[])[],
  coef: number,
  estimator: KlEstimator,
): { rewards: number[][]; kl: number[][] } {
  if (!(coef >= 0) || !Number.isFinite(coef))
    throw new AlgorithmInputError('coef', `must be a finite number >= 0, got ${coef}`);
  const kl = rewards.map((g, gi) =>
    g.map((_, i) => {
      const lp = logp[gi]?.[i];
      const ref = refLogp[gi]?.[i];
      if (!lp || !ref || lp.length !== ref.length)
        throw new AlgorithmInputError(
          `logp[${gi}][${i}]`,
          'policy and reference logprobs must exist and have the same length',
        );
      let s = 0;
      for (let t = 0; t < lp.length; t++) s += klPerToken(estimator, lp[t] as number, ref[t] as number);
      return s;
    }),
  );
  return { rewards: rewards.map((g, gi) => g.map((r, i) => r - coef * kl[gi]![i]!)), kl };
}
