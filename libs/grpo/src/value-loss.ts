import type { Graph, Sym } from '@grpo/graph';
import { AlgorithmConfigError } from './errors.js';
import { aggregateTokens } from './graph-loss.js';
import { type LossAggregation, lossAggregations } from './policy-loss.js';

/**
 * The critic's loss: clipped value regression as in PPO's reference implementations (OpenAI
 * baselines ppo2, verl `compute_value_loss`, OpenRLHF `ValueLoss`):
 *   V_clip = V_old + clip(V - V_old, -clipValue, clipValue)
 *   l_t    = 0.5 * max((V - R)^2, (V_clip - R)^2)          (clipValue null: 0.5 (V - R)^2)
 * aggregated over the action tokens (its own `aggregation`), times `coef`.
 */

export interface ValueLossConfig {
  /** Clip range of the value around the old value; null disables clipping. verl: 0.5, OpenRLHF: 0.2. */
  clipValue: number | null;
  /** Weight of the value loss (the critic trains on it alone; it scales the critic's gradient). */
  coef: number;
  aggregation: LossAggregation;
  /** Denominator length of seq-mean-token-sum-norm. */
  normLength: number;
}

export const defaultValueLossConfig: Readonly<ValueLossConfig> = Object.freeze({
  clipValue: 0.2,
  coef: 1,
  aggregation: 'token-mean',
  normLength: 1024,
});

/** Graph inputs the value loss declares, (batch, seq) like the values. */
export const VALUE_LOSS_INPUTS = Object.freeze({
  oldValues: 'old_values',
  returns: 'returns',
});

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export function validateValueLossConfig(c: ValueLossConfig, field = 'critic'): void {
  if (c.clipValue !== null && (!isNum(c.clipValue) || c.clipValue <= 0))
    throw new AlgorithmConfigError(`${field}.clipValue`, `must be null or a number > 0, got ${c.clipValue}`);
  if (!isNum(c.coef) || c.coef <= 0)
    throw new AlgorithmConfigError(`${field}.valueCoef`, `must be a finite number > 0, got ${c.coef}`);
  if (!lossAggregations.includes(c.aggregation))
    throw new AlgorithmConfigError(
      `${field}.aggregation`,
      `must be one of ${lossAggregations.join(', ')}; got ${String(c.aggregation)}`,
    );
  if (!Number.isInteger(c.normLength) || c.normLength < 1)
    throw new AlgorithmConfigError(`${field}.normLength`, `must be an integer >= 1, got ${c.normLength}`);
}

export interface ValueLossGraph {
  /** coef * aggregated loss. */
  loss: Sym;
  /** Share of action tokens where the clipped term was the larger one (the clip was active). */
  clipFraction: Sym;
}

/** Builds the value loss on `g` from the critic's values (batch, seq) and the 0/1 action mask. */
export function valueLossGraph(g: Graph, values: Sym, mask: Sym, c: ValueLossConfig): ValueLossGraph {
  validateValueLossConfig(c);
  const old = g.input(VALUE_LOSS_INPUTS.oldValues, values.dtype, values.shape);
  const ret = g.input(VALUE_LOSS_INPUTS.returns, values.dtype, values.shape);
  // Masked before squaring, so padding holds no value that could overflow.
  const d1 = g.mul(g.sub(values, ret), mask);
  const l1 = g.square(d1);
  let per = l1;
  let clipFraction: Sym = g.mul(g.sum(g.mul(mask, 0)), 0);
  if (c.clipValue !== null) {
    const clipped = g.add(old, g.clip(g.sub(values, old), -c.clipValue, c.clipValue));
    const l2 = g.square(g.mul(g.sub(clipped, ret), mask));
    per = g.maximum(l1, l2);
    const active = g.mul(g.cast(g.greater(l2, l1), values.dtype), mask);
    clipFraction = g.div(g.sum(active), g.maximum(g.sum(mask), 1));
  }
  const agg = aggregateTokens(g, g.mul(per, 0.5), mask, c.aggregation, c.normLength);
  return { loss: g.mul(agg, c.coef), clipFraction };
}

export interface ValueLossSequence {
  values: readonly number[];
  oldValues: readonly number[];
  returns: readonly number[];
}

/** Plain-loop float64 reference of `valueLossGraph` over per-sequence lists of action tokens. */
export function valueLossReference(
  seqs: readonly ValueLossSequence[],
  c: ValueLossConfig,
): { loss: number; clipFraction: number } {
  validateValueLossConfig(c);
  const per: number[][] = [];
  let active = 0;
  let tokens = 0;
  for (const s of seqs) {
    per.push(
      s.values.map((v, t) => {
        const r = s.returns[t]!;
        const o = s.oldValues[t]!;
        const l1 = (v - r) ** 2;
        if (c.clipValue === null) return 0.5 * l1;
        const vc = o + Math.min(Math.max(v - o, -c.clipValue), c.clipValue);
        const l2 = (vc - r) ** 2;
        if (l2 > l1) active++;
        return 0.5 * Math.max(l1, l2);
      }),
    );
    tokens += s.values.length;
  }
  let agg = 0;
  if (c.aggregation === 'token-mean') {
    agg = per.flat().reduce((a, b) => a + b, 0) / Math.max(tokens, 1);
  } else if (c.aggregation === 'seq-mean-token-sum-norm') {
    agg = per.flat().reduce((a, b) => a + b, 0) / (per.length * c.normLength);
  } else {
    const ne = per.filter((p) => p.length > 0);
    agg = ne.reduce((a, p) => a + p.reduce((x, y) => x + y, 0) / p.length, 0) / Math.max(ne.length, 1);
  }
  return { loss: c.coef * agg, clipFraction: active / Math.max(tokens, 1) };
}
