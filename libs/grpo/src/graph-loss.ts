import type { Graph, Sym } from '@grpo/graph';
import { AlgorithmConfigError } from './errors.js';
import { KL_LOG_RATIO_CLAMP, klEstimators } from './kl.js';
import { type LossAggregation, lossAggregations, type PolicyLossConfig } from './policy-loss.js';

/**
 * The policy losses of the GRPO family built into a train graph: the same formulas as
 * `policyLossReference` (the plain-loop version they are tested against), on (batch, seq)
 * tensors with a 0/1 mask, so the backward pass comes from libs/graph's autodiff.
 */

/** Names of the graph inputs the loss declares (fed per step, laid out like the logprobs). */
export const POLICY_LOSS_INPUTS = Object.freeze({
  /** (batch, seq): log-prob of each token under the policy that sampled it. */
  oldLogprobs: 'old_logprobs',
  /** (batch, seq), or (batch) with `advantageLayout: 'sequence'`. */
  advantages: 'advantages',
  /** (batch, seq): log-prob under the frozen reference; declared only when klCoef > 0. */
  refLogprobs: 'ref_logprobs',
});

/** What the loss needs from the policy forward. */
export interface LossTensors {
  /** (batch, seq) log p(token) under the policy being trained (float32 or float64). */
  logprobs: Sym;
  /** (batch, seq) 1 on completion tokens, 0 on prompt and padding (same dtype as logprobs). */
  mask: Sym;
  /** (batch, seq) entropy of the policy at each position; needed when entropyCoef > 0. */
  entropy?: Sym;
}

/** Scalar metrics the loss graph computes next to the loss (outputs of the graph if wanted). */
export interface PolicyLossMetrics {
  /** The aggregated clipped surrogate alone. */
  pgLoss: Sym;
  /** Share of completion tokens whose ratio lies outside [1 - epsLow, 1 + epsHigh]. */
  clipFraction: Sym;
  /** Aggregated KL estimate to the reference (only when klCoef > 0). */
  kl?: Sym;
  /** Aggregated entropy (only when entropy is given). */
  entropy?: Sym;
}

export interface PolicyLossGraph {
  loss: Sym;
  metrics: PolicyLossMetrics;
}

export interface PolicyLossGraphOptions {
  /**
   * `sequence` (default): `advantages` is (batch), one outcome advantage per completion,
   * broadcast over its tokens. `token`: (batch, seq), per-token advantages.
   */
  advantageLayout?: 'sequence' | 'token';
}

export type PolicyLossGraphBuilder = (g: Graph, t: LossTensors) => PolicyLossGraph;

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Checks every field of a loss config; throws `AlgorithmConfigError` naming the field. */
export function validatePolicyLossConfig(cfg: PolicyLossConfig, field = 'loss'): void {
  if (!isNum(cfg.epsLow) || cfg.epsLow < 0 || cfg.epsLow >= 1)
    throw new AlgorithmConfigError(`${field}.epsLow`, `must be in [0, 1), got ${cfg.epsLow}`);
  if (!isNum(cfg.epsHigh) || cfg.epsHigh < 0)
    throw new AlgorithmConfigError(`${field}.epsHigh`, `must be a finite number >= 0, got ${cfg.epsHigh}`);
  if (cfg.dualClip !== null && (!isNum(cfg.dualClip) || cfg.dualClip <= 1))
    throw new AlgorithmConfigError(`${field}.dualClip`, `must be null or a number > 1, got ${cfg.dualClip}`);
  if (cfg.ratio !== 'token' && cfg.ratio !== 'sequence')
    throw new AlgorithmConfigError(
      `${field}.ratio`,
      `must be one of token, sequence; got ${String(cfg.ratio)}`,
    );
  if (!lossAggregations.includes(cfg.aggregation))
    throw new AlgorithmConfigError(
      `${field}.aggregation`,
      `must be one of ${lossAggregations.join(', ')}; got ${String(cfg.aggregation)}`,
    );
  if (!Number.isInteger(cfg.normLength) || cfg.normLength < 1)
    throw new AlgorithmConfigError(`${field}.normLength`, `must be an integer >= 1, got ${cfg.normLength}`);
  if (!isNum(cfg.klCoef) || cfg.klCoef < 0)
    throw new AlgorithmConfigError(`${field}.klCoef`, `must be a finite number >= 0, got ${cfg.klCoef}`);
  if (!klEstimators.includes(cfg.klEstimator))
    throw new AlgorithmConfigError(
      `${field}.klEstimator`,
      `must be one of ${klEstimators.join(', ')}; got ${String(cfg.klEstimator)}`,
    );
  if (!isNum(cfg.entropyCoef) || cfg.entropyCoef < 0)
    throw new AlgorithmConfigError(
      `${field}.entropyCoef`,
      `must be a finite number >= 0, got ${cfg.entropyCoef}`,
    );
}

/**
 * Reduces per-token values x (batch, seq) to a scalar as `policyLossReference` does. The mask
 * must be 0/1. Empty rows count as sequences only for `seq-mean-token-sum-norm` (whose
 * denominator is the constant batch * normLength); every division is floored at 1 so an
 * all-empty batch gives 0, not NaN.
 */
export function aggregateTokens(g: Graph, x: Sym, mask: Sym, how: LossAggregation, normLength: number): Sym {
  const xm = g.mul(x, mask);
  if (how === 'token-mean') return g.div(g.sum(xm), g.maximum(g.sum(mask), 1));
  const len = g.sum(mask, [1]); // (batch)
  if (how === 'seq-mean-token-sum-norm') {
    // batch size as a tensor: one per row, whatever the row's length.
    const rows = g.sum(g.add(g.mul(len, 0), 1));
    return g.div(g.sum(xm), g.mul(rows, normLength));
  }
  const perSeq = g.div(g.sum(xm, [1]), g.maximum(len, 1));
  const nonEmpty = g.minimum(len, 1);
  return g.div(g.sum(perSeq), g.maximum(g.sum(nonEmpty), 1));
}

/**
 * Builds the policy loss on `g` for a config. Per token (PPO, Schulman et al. 2017, as used by
 * GRPO, DeepSeekMath arXiv:2402.03300 eq. 3):
 *   ratio r = exp(logp - old)                 (token)
 *        or sg[s_i] * exp(logp - sg[logp]),   s_i = exp(mean_t(logp - old))   (GSPO-token,
 *           arXiv:2507.18071 eq. 12: the value is s_i and the gradient of every token is
 *           s_i * grad logp_t, which is GSPO's sequence-level gradient when the advantage is
 *           one per sequence)
 *   pg = max(-r A, -clip(r, 1 - epsLow, 1 + epsHigh) A)     (clip-higher: DAPO arXiv:2503.14476)
 *   pg = min(pg, -c A) where A < 0                           (dual clip, arXiv:1912.09729)
 * aggregated (see `LossAggregation`), plus klCoef * KL(k1/k2/k3, log-ratio clamped to
 * +-KL_LOG_RATIO_CLAMP) - entropyCoef * entropy, each aggregated the same way.
 * Log-ratios are masked before `exp`, so padding never overflows into NaN.
 */
export function policyLossBuilder(
  cfg: PolicyLossConfig,
  options: PolicyLossGraphOptions = {},
): PolicyLossGraphBuilder {
  validatePolicyLossConfig(cfg);
  const layout = options.advantageLayout ?? 'sequence';
  if (layout !== 'sequence' && layout !== 'token')
    throw new AlgorithmConfigError('advantageLayout', `must be sequence or token, got ${String(layout)}`);
  return (g, t) => {
    const { logprobs: lp, mask } = t;
    const dtype = lp.dtype;
    const shape = lp.shape;
    const agg = (x: Sym) => aggregateTokens(g, x, mask, cfg.aggregation, cfg.normLength);
    const old = g.input(POLICY_LOSS_INPUTS.oldLogprobs, dtype, shape);
    const advIn =
      layout === 'token'
        ? g.input(POLICY_LOSS_INPUTS.advantages, dtype, shape)
        : g.input(POLICY_LOSS_INPUTS.advantages, dtype, [shape[0]!]);
    const adv = layout === 'token' ? advIn : g.unsqueeze(advIn, [1]);

    const diff = g.mul(g.sub(lp, old), mask);
    let ratio: Sym;
    if (cfg.ratio === 'token') {
      ratio = g.exp(diff);
    } else {
      const len = g.maximum(g.sum(mask, [1], true), 1);
      const seqRatio = g.exp(g.div(g.sum(diff, [1], true), len)); // (batch, 1)
      ratio = g.mul(g.stopGradient(seqRatio), g.exp(g.sub(lp, g.stopGradient(lp))));
    }
    const lo = 1 - cfg.epsLow;
    const hi = 1 + cfg.epsHigh;
    const clipped = g.clip(ratio, lo, hi);
    let pg = g.maximum(g.neg(g.mul(ratio, adv)), g.neg(g.mul(clipped, adv)));
    if (cfg.dualClip !== null) {
      pg = g.where(g.less(adv, 0), g.minimum(pg, g.mul(adv, -cfg.dualClip)), pg);
    }
    const pgLoss = agg(pg);
    const outside = g.add(g.cast(g.greater(ratio, hi), dtype), g.cast(g.less(ratio, lo), dtype));
    const clipFraction = g.div(g.sum(g.mul(outside, mask)), g.maximum(g.sum(mask), 1));
    const metrics: PolicyLossMetrics = { pgLoss, clipFraction };

    let loss = pgLoss;
    if (cfg.klCoef > 0) {
      const ref = g.input(POLICY_LOSS_INPUTS.refLogprobs, dtype, shape);
      const logr = g.clip(g.mul(g.sub(ref, lp), mask), -KL_LOG_RATIO_CLAMP, KL_LOG_RATIO_CLAMP);
      let k: Sym;
      if (cfg.klEstimator === 'k1') k = g.neg(logr);
      else if (cfg.klEstimator === 'k2') k = g.mul(g.square(logr), 0.5);
      else k = g.sub(g.sub(g.exp(logr), 1), logr);
      const kl = agg(k);
      metrics.kl = kl;
      loss = g.add(loss, g.mul(kl, cfg.klCoef));
    }
    if (t.entropy) {
      const ent = agg(t.entropy);
      metrics.entropy = ent;
      if (cfg.entropyCoef > 0) loss = g.sub(loss, g.mul(ent, cfg.entropyCoef));
    } else if (cfg.entropyCoef > 0) {
      throw new AlgorithmConfigError('loss.entropyCoef', 'entropyCoef > 0 needs the entropy tensor');
    }
    return { loss, metrics };
  };
}
