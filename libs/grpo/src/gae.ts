import { AlgorithmInputError } from './errors.js';

/**
 * Generalized Advantage Estimation (Schulman et al., arXiv:1506.02438) over token sequences, as
 * PPO for language models uses it (verl `compute_gae_advantage_return`, OpenRLHF
 * `get_advantages_and_returns`). Rows are laid out (rows, seq) in flat arrays; `mask` is 1 on
 * the completion tokens that are actions and 0 on prompt and padding. Masked-out positions are
 * skipped: they get advantage and return 0 and are transparent to the recursion, so a prompt
 * of any length and right padding change nothing.
 *
 *   delta_t = r_t + gamma * V_next - V_t          (V_next = 0 after the last action)
 *   A_t     = delta_t + gamma * lambda * A_next
 *   R_t     = A_t + V_t                            (the critic's regression target)
 *
 * With gamma = lambda = 1 (Open-Reasoner-Zero, arXiv:2503.24290) and an outcome reward only,
 * A_t = R - V_t and every return equals the outcome reward.
 */

export interface GaeOptions {
  /** Discount per token, in [0, 1]. */
  gamma: number;
  /** GAE lambda, in [0, 1]: 1 = Monte-Carlo return minus value, 0 = one-step TD error. */
  lambda: number;
}

export interface GaeResult {
  /** (rows, seq) advantages, 0 where mask is 0. */
  advantages: Float64Array;
  /** (rows, seq) returns (advantage + value), 0 where mask is 0. */
  returns: Float64Array;
}

export interface TokenRewardInput {
  rows: number;
  seq: number;
  /** (rows) outcome reward of each completion, placed on its last action token. */
  outcome: ArrayLike<number>;
  /** (rows, seq) 0/1 action mask. */
  mask: ArrayLike<number>;
  /** (rows, seq) per-token KL estimate to the reference, subtracted as coef * kl (InstructGPT eq. 2). */
  kl?: ArrayLike<number>;
  klCoef?: number;
}

function checkGae(o: GaeOptions): void {
  if (!(o.gamma >= 0 && o.gamma <= 1))
    throw new AlgorithmInputError('gae.gamma', `must be in [0, 1], got ${o.gamma}`);
  if (!(o.lambda >= 0 && o.lambda <= 1))
    throw new AlgorithmInputError('gae.lambda', `must be in [0, 1], got ${o.lambda}`);
}

function checkLength(name: string, xs: ArrayLike<number>, n: number): void {
  if (xs.length !== n) throw new AlgorithmInputError(name, `has ${xs.length} values, expected ${n}`);
}

function checkFinite(name: string, xs: ArrayLike<number>, mask: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++)
    if (mask[i] && !Number.isFinite(xs[i]))
      throw new AlgorithmInputError(`${name}[${i}]`, `must be a finite number, got ${xs[i]}`);
}

/**
 * Per-token rewards: each row's outcome on its last action token, minus klCoef * kl on every
 * action token when a KL is given. A row without action tokens gets none of its outcome (it has
 * no action to credit). Returns (rows, seq).
 */
export function tokenRewards(i: TokenRewardInput): Float64Array {
  const n = i.rows * i.seq;
  checkLength('outcome', i.outcome, i.rows);
  checkLength('mask', i.mask, n);
  const coef = i.klCoef ?? 0;
  if (!(coef >= 0) || !Number.isFinite(coef))
    throw new AlgorithmInputError('klCoef', `must be a finite number >= 0, got ${coef}`);
  if (i.kl) {
    checkLength('kl', i.kl, n);
    checkFinite('kl', i.kl, i.mask);
  }
  const r = new Float64Array(n);
  for (let b = 0; b < i.rows; b++) {
    if (!Number.isFinite(i.outcome[b]))
      throw new AlgorithmInputError(`outcome[${b}]`, `must be a finite number, got ${i.outcome[b]}`);
    let last = -1;
    for (let t = 0; t < i.seq; t++) {
      const k = b * i.seq + t;
      if (!i.mask[k]) continue;
      last = k;
      if (i.kl && coef > 0) r[k] = -coef * (i.kl[k] as number);
    }
    if (last >= 0) r[last] = (r[last] as number) + (i.outcome[b] as number);
  }
  return r;
}

/** GAE by the backward recursion: one pass per row, O(rows * seq). */
export function computeGae(
  rows: number,
  seq: number,
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  o: GaeOptions,
): GaeResult {
  checkGae(o);
  const n = rows * seq;
  checkLength('rewards', rewards, n);
  checkLength('values', values, n);
  checkLength('mask', mask, n);
  checkFinite('rewards', rewards, mask);
  checkFinite('values', values, mask);
  const advantages = new Float64Array(n);
  const returns = new Float64Array(n);
  const gl = o.gamma * o.lambda;
  for (let b = 0; b < rows; b++) {
    let nextValue = 0;
    let nextAdv = 0;
    for (let t = seq - 1; t >= 0; t--) {
      const k = b * seq + t;
      if (!mask[k]) continue;
      const v = values[k] as number;
      const delta = (rewards[k] as number) + o.gamma * nextValue - v;
      const a = delta + gl * nextAdv;
      advantages[k] = a;
      returns[k] = a + v;
      nextValue = v;
      nextAdv = a;
    }
  }
  return { advantages, returns };
}

/**
 * Plain-loop reference in the definition's own form: the action tokens of each row are listed
 * first, then A_t = sum_l (gamma lambda)^l delta_{t+l} is summed directly (O(len^2)).
 */
export function gaeReference(
  rewards: readonly (readonly number[])[],
  values: readonly (readonly number[])[],
  mask: readonly (readonly number[])[],
  o: GaeOptions,
): { advantages: number[][]; returns: number[][] } {
  const advantages: number[][] = [];
  const returns: number[][] = [];
  rewards.forEach((row, b) => {
    const pos: number[] = [];
    row.forEach((_, t) => {
      if (mask[b]![t]) pos.push(t);
    });
    const V = pos.map((t) => values[b]![t]!);
    const R = pos.map((t) => row[t]!);
    const delta = pos.map((_, j) => R[j]! + o.gamma * (j + 1 < pos.length ? V[j + 1]! : 0) - V[j]!);
    const a = row.map(() => 0);
    const ret = row.map(() => 0);
    pos.forEach((t, j) => {
      let s = 0;
      for (let l = 0; j + l < pos.length; l++) s += (o.gamma * o.lambda) ** l * delta[j + l]!;
      a[t] = s;
      ret[t] = s + V[j]!;
    });
    advantages.push(a);
    returns.push(ret);
  });
  return { advantages, returns };
}

/**
 * Whitens advantages over the action tokens of the whole batch: (a - mean) / (std + eps), with
 * the unbiased std (verl `masked_whiten`, OpenRLHF's advantage normalisation). Masked positions
 * stay 0. Fewer than two action tokens: centred only.
 */
export function whitenMasked(x: ArrayLike<number>, mask: ArrayLike<number>, eps = 1e-8): Float64Array {
  let n = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++)
    if (mask[i]) {
      n++;
      s += x[i] as number;
    }
  const out = new Float64Array(x.length);
  if (n === 0) return out;
  const m = s / n;
  let v = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) v += ((x[i] as number) - m) ** 2;
  const sd = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) out[i] = n > 1 ? ((x[i] as number) - m) / (sd + eps) : 0;
  return out;
}

/**
 * Explained variance of the returns by the values over the action tokens:
 * 1 - Var(R - V) / Var(R) (population variances); NaN-free: 0 when Var(R) is 0.
 */
export function explainedVariance(
  returns: ArrayLike<number>,
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
): number {
  let n = 0;
  let sr = 0;
  let sd = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i]) {
      n++;
      sr += returns[i] as number;
      sd += (returns[i] as number) - (values[i] as number);
    }
  if (n === 0) return 0;
  const mr = sr / n;
  const md = sd / n;
  let vr = 0;
  let vd = 0;
  for (let i = 0; i < mask.length; i++)
    if (mask[i]) {
      vr += ((returns[i] as number) - mr) ** 2;
      vd += ((returns[i] as number) - (values[i] as number) - md) ** 2;
    }
  return vr > 0 ? 1 - vd / vr : 0;
}
