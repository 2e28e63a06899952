import { type KlEstimator, klPerToken } from './kl.js';

/**
 * How per-token losses become one scalar.
 * - `token-mean`: sum over all tokens / number of tokens (DAPO, arXiv:2503.14476; the default).
 * - `seq-mean-token-mean`: mean over sequences of each sequence's token mean (original GRPO).
 * - `seq-mean-token-sum-norm`: sum over all tokens / (sequences * `normLength`) (Dr. GRPO's constant).
 */
export type LossAggregation = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum-norm';

export const lossAggregations: readonly LossAggregation[] = [
  'token-mean',
  'seq-mean-token-mean',
  'seq-mean-token-sum-norm',
];

export interface PolicyLossConfig {
  /** Lower clip range: ratio >= 1 - epsLow (PPO; 0.2). */
  epsLow: number;
  /** Upper clip range: ratio <= 1 + epsHigh (DAPO's clip-higher uses 0.28). */
  epsHigh: number;
  /** Dual-clip constant c > 1 (arXiv:1912.09729): for negative advantages the loss is capped at -c * A. */
  dualClip: number | null;
  /** `token` (PPO/GRPO) or `sequence` (GSPO, arXiv:2507.18071: length-normalized sequence ratio). */
  ratio: 'token' | 'sequence';
  aggregation: LossAggregation;
  /** Denominator length for `seq-mean-token-sum-norm` (Dr. GRPO uses the generation budget). */
  normLength: number;
  /** Weight of the KL penalty in the loss; 0 disables it. */
  klCoef: number;
  klEstimator: KlEstimator;
  /** Weight of the entropy bonus (subtracted from the loss); 0 disables it. */
  entropyCoef: number;
}

export const defaultPolicyLossConfig: Readonly<PolicyLossConfig> = Object.freeze({
  epsLow: 0.2,
  epsHigh: 0.2,
  dualClip: null,
  ratio: 'token',
  aggregation: 'token-mean',
  normLength: 1024,
  klCoef: 0,
  klEstimator: 'k3',
  entropyCoef: 0,
});

/** One completion's per-token data; all arrays have the completion's length. */
export interface SequenceLossInput {
  /** Log-prob of each sampled token under the policy being trained. */
  logp: readonly number[];
  /** Log-prob under the policy that sampled (the behaviour policy). */
  oldLogp: readonly number[];
  /** Log-prob under the frozen reference (needed when klCoef > 0). */
  refLogp?: readonly number[];
  /** Entropy of the policy at each position (needed when entropyCoef > 0). */
  entropy?: readonly number[];
  advantage: number;
}

export interface PolicyLossResult {
  loss: number;
  /** Aggregated clipped-surrogate term alone. */
  pgLoss: number;
  /** Aggregated KL estimate (0 when klCoef is 0 and no refLogp was given). */
  kl: number;
  entropy: number;
  /** Share of tokens whose ratio was clipped. */
  clipFraction: number;
}

function aggregate(
  perToken: readonly (readonly number[])[],
  how: LossAggregation,
  normLength: number,
): number {
  const seqs = perToken.filter((s) => s.length > 0);
  if (seqs.length === 0) return 0;
  if (how === 'seq-mean-token-mean') {
    let s = 0;
    for (const seq of seqs) s += seq.reduce((a, b) => a + b, 0) / seq.length;
    return s / seqs.length;
  }
  let total = 0;
  let tokens = 0;
  for (const seq of seqs) {
    for (const x of seq) total += x;
    tokens += seq.length;
  }
  return how === 'token-mean' ? total / tokens : total / (perToken.length * normLength);
}

/**
 * The policy loss written as plain loops: the reference the graph version is tested against.
 * Per token: ratio r = exp(logp - oldLogp) (or GSPO's sequence ratio), loss = -min(r A, clip(r) A),
 * dual-clipped for A < 0, then aggregated; + klCoef * KL - entropyCoef * entropy.
 */
export function policyLossReference(
  batch: readonly SequenceLossInput[],
  cfg: PolicyLossConfig,
): PolicyLossResult {
  let clipped = 0;
  let tokens = 0;
  const pg: number[][] = [];
  const kl: number[][] = [];
  const ent: number[][] = [];
  for (const seq of batch) {
    const n = seq.logp.length;
    if (seq.oldLogp.length !== n) throw new RangeError('oldLogp and logp differ in length');
    let seqRatio = 1;
    if (cfg.ratio === 'sequence' && n > 0) {
      let s = 0;
      for (let t = 0; t < n; t++) s += (seq.logp[t] as number) - (seq.oldLogp[t] as number);
      seqRatio = Math.exp(s / n);
    }
    const a = seq.advantage;
    const row: number[] = [];
    for (let t = 0; t < n; t++) {
      const ratio =
        cfg.ratio === 'sequence' ? seqRatio : Math.exp((seq.logp[t] as number) - (seq.oldLogp[t] as number));
      const clippedRatio = Math.min(Math.max(ratio, 1 - cfg.epsLow), 1 + cfg.epsHigh);
      if (clippedRatio !== ratio) clipped++;
      let loss = Math.max(-ratio * a, -clippedRatio * a);
      if (cfg.dualClip !== null && a < 0) loss = Math.min(loss, -cfg.dualClip * a);
      row.push(loss);
      tokens++;
    }
    pg.push(row);
    if (seq.refLogp) {
      const ref = seq.refLogp;
      kl.push(seq.logp.map((lp, t) => klPerToken(cfg.klEstimator, lp, ref[t] as number)));
    } else if (cfg.klCoef !== 0) {
      throw new RangeError('klCoef > 0 needs refLogp for every sequence');
    }
    if (seq.entropy) ent.push([...seq.entropy]);
    else if (cfg.entropyCoef !== 0) throw new RangeError('entropyCoef > 0 needs entropy for every sequence');
  }
  const pgLoss = aggregate(pg, cfg.aggregation, cfg.normLength);
  const klValue = kl.length ? aggregate(kl, cfg.aggregation, cfg.normLength) : 0;
  const entValue = ent.length ? aggregate(ent, cfg.aggregation, cfg.normLength) : 0;
  return {
    loss: pgLoss + cfg.klCoef * klValue - cfg.entropyCoef * entValue,
    pgLoss,
    kl: klValue,
    entropy: entValue,
    clipFraction: tokens ? clipped / tokens : 0,
  };
}
