/**
 * KL estimators between the policy and a frozen reference, per token, from log-probabilities of the
 * sampled tokens (Schulman, "Approximating KL Divergence", 2020). With logr = logpRef - logp:
 *   k1 = -logr            (unbiased, high variance, can be negative)
 *   k2 = logr^2 / 2       (biased, low variance)
 *   k3 = exp(logr) - 1 - logr   (unbiased, low variance, >= 0; the GRPO paper's estimator)
 */
export type KlEstimator = 'k1' | 'k2' | 'k3';

export const klEstimators: readonly KlEstimator[] = ['k1', 'k2', 'k3'];

/** Bound on logr before exponentiation, as verl does for k3, so one outlier token cannot overflow. */
export const KL_LOG_RATIO_CLAMP = 20;

export function klPerToken(estimator: KlEstimator, logp: number, logpRef: number): number {
  const logr = Math.max(-KL_LOG_RATIO_CLAMP, Math.min(KL_LOG_RATIO_CLAMP, logpRef - logp));
  switch (estimator) {
    case 'k1':
      return -logr;
    case 'k2':
      return 0.5 * logr * logr;
    case 'k3':
      return Math.exp(logr) - 1 - logr;
  }
}
