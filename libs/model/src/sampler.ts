import { BAD_SAMPLING, ModelError } from './errors.js';
import type { Rng } from './rng.js';

/**
 * Host-side sampling from one logits row, usable by any engine. Order as in HF transformers'
 * logits processors and vLLM: temperature, then top-k, then top-p (nucleus, Holtzman et al.
 * 2020, arXiv:1904.09751: the smallest set of most likely tokens whose probability reaches p).
 *
 * The returned logprob is log softmax(logits / T)[token]: the temperature-scaled distribution
 * BEFORE top-k/top-p filtering. That is the distribution the trainer recomputes from the same
 * logits (it cannot reproduce per-step truncation), so the importance ratio pi/pi_old of GRPO
 * starts at exactly 1 on-policy. Engines that can return either (vLLM's `logprobs_mode`) must be
 * set to the same convention. With T = 0 (greedy) the logprob is under T = 1.
 */
export interface SamplingParams {
  /** >= 0; 0 = greedy (argmax, ties to the lowest id). */
  readonly temperature: number;
  /** (0, 1]; 1 disables. */
  readonly topP?: number;
  /** Keep the k most likely tokens; 0 or -1 disables. */
  readonly topK?: number;
}

export interface SampledToken {
  readonly tokenId: number;
  /** log p(token) under softmax(logits / T), unfiltered (T = 1 when greedy). */
  readonly logprob: number;
}

/** Validates sampling params once; throws `GRPO_MODEL_BAD_SAMPLING` naming the field. */
export function validateSamplingParams(p: SamplingParams): void {
  if (typeof p.temperature !== 'number' || !Number.isFinite(p.temperature) || p.temperature < 0) {
    throw new ModelError(
      BAD_SAMPLING,
      'temperature',
      `temperature must be a finite number >= 0, got ${p.temperature}`,
    );
  }
  if (p.topP !== undefined && !(typeof p.topP === 'number' && p.topP > 0 && p.topP <= 1)) {
    throw new ModelError(BAD_SAMPLING, 'topP', `topP must be in (0, 1], got ${p.topP}`);
  }
  if (p.topK !== undefined && !(Number.isInteger(p.topK) && (p.topK >= 0 || p.topK === -1))) {
    throw new ModelError(BAD_SAMPLING, 'topK', `topK must be a non-negative integer or -1, got ${p.topK}`);
  }
}

/** log softmax(logits / temperature) as float64. */
export function logSoftmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const n = logits.length;
  const out = new Float64Array(n);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    out[i] = logits[i] / temperature;
    if (out[i] > max) max = out[i];
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(out[i] - max);
  const lse = max + Math.log(sum);
  for (let i = 0; i < n; i++) out[i] -= lse;
  return out;
}

/**
 * The filtered candidate set for (temperature > 0): token ids sorted by probability (desc, ties
 * by id) and their renormalised probabilities after top-k and top-p.
 */
export function candidateSet(
  logits: ArrayLike<number>,
  p: SamplingParams,
): { ids: number[]; probs: number[] } {
  const lp = logSoftmax(logits, p.temperature);
  const k = p.topK ?? 0;
  const byProb = (a: number, b: number) => lp[b] - lp[a] || a - b;
  let order: number[];
  if (k > 0 && k < lp.length) {
    // Select the k best with a bounded heap before sorting, so a 150k vocabulary is not sorted.
    order = topKIds(lp, k).sort(byProb);
  } else if ((p.topP ?? 1) < 1) {
    order = nucleusSuperset(lp, p.topP ?? 1).sort(byProb);
  } else {
    order = Array.from({ length: lp.length }, (_, i) => i).sort(byProb);
  }
  let keep = order.length;
  // Top-p renormalises over the top-k set; without top-k the whole distribution has mass 1.
  let mass = 1;
  if (k > 0 && k < lp.length) {
    mass = 0;
    for (let i = 0; i < keep; i++) mass += Math.exp(lp[order[i]]);
  }
  const topP = p.topP ?? 1;
  if (topP < 1) {
    let cum = 0;
    for (let i = 0; i < keep; i++) {
      cum += Math.exp(lp[order[i]]) / mass;
      // Keep the token that crosses p; at least one token always survives.
      if (cum >= topP) {
        keep = i + 1;
        break;
      }
    }
  }
  const ids = order.slice(0, keep);
  let z = 0;
  for (const id of ids) z += Math.exp(lp[id]);
  return { ids, probs: ids.map((id) => Math.exp(lp[id]) / z) };
}

/**
 * Ids of every token with probability >= tau for the largest tau in a short ladder whose set
 * still holds mass >= topP. Those tokens outrank all others, so the nucleus lies inside the set
 * and only it needs sorting (a peaked 150k-token row keeps a few hundred ids).
 */
function nucleusSuperset(lp: Float64Array, topP: number): number[] {
  for (const tau of [1e-4, 1e-6, 1e-8]) {
    const logTau = Math.log(tau);
    const ids: number[] = [];
    let mass = 0;
    for (let i = 0; i < lp.length; i++) {
      if (lp[i] >= logTau) {
        ids.push(i);
        mass += Math.exp(lp[i]);
      }
    }
    if (mass >= topP) return ids;
  }
  return Array.from({ length: lp.length }, (_, i) => i);
}

/** Ids of the k largest values (ties to the lower id), unsorted; O(vocab * log k). */
function topKIds(lp: Float64Array, k: number): number[] {
  // Min-heap of size k keyed by (value asc, id desc): the root is the worst kept candidate.
  const heap: number[] = [];
  const worse = (a: number, b: number) => lp[a] < lp[b] || (lp[a] === lp[b] && a > b);
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l], heap[m])) m = l;
      if (r < heap.length && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let i = 0; i < lp.length; i++) {
    if (heap.length < k) {
      heap.push(i);
      up(heap.length - 1);
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap;
}

/** Scratch for the unfiltered path: exp((logit - max) / T) per token, grown to the vocabulary. */
let scratch = new Float64Array(0);

/** Draws one token from a logits row (vocab). Deterministic for a given rng state. */
export function sampleToken(logits: ArrayLike<number>, params: SamplingParams, rng: Rng): SampledToken {
  validateSamplingParams(params);
  const n = logits.length;
  if (n === 0) throw new ModelError(BAD_SAMPLING, 'logits', 'logits row is empty');
  // One pass: NaN check, whether any token is possible, and the argmax (ties to the lowest id).
  let best = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = logits[i] as number;
    if (Number.isNaN(x)) throw new ModelError(BAD_SAMPLING, `logits[${i}]`, 'logits row contains NaN');
    if (x > max) {
      max = x;
      best = i;
    }
  }
  if (max === Number.NEGATIVE_INFINITY)
    throw new ModelError(BAD_SAMPLING, 'logits', 'every logit is -Infinity (all tokens masked)');
  if (params.temperature === 0) return { tokenId: best, logprob: logSoftmax(logits, 1)[best] as number };
  const u = rng.next();
  if ((params.topK ?? 0) <= 0 && (params.topP ?? 1) >= 1) {
    // Unfiltered: the same arithmetic as logSoftmax (x / T, max-shifted sum of exps), kept in a
    // scratch buffer so each token's weight is computed once; then the inverse CDF in id order
    // on the unnormalised weights (u * sum), no sort and no allocation.
    const T = params.temperature;
    const m = max / T;
    if (scratch.length < n) scratch = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp((logits[i] as number) / T - m);
      scratch[i] = e;
      sum += e;
    }
    const target = u * sum;
    let cum = 0;
    let chosen = -1;
    let lastPossible = 0;
    for (let i = 0; i < n; i++) {
      const e = scratch[i] as number;
      if (e > 0) lastPossible = i;
      cum += e;
      if (target < cum) {
        chosen = i;
        break;
      }
    }
    // target can exceed the float sum of the weights by rounding: take the last possible token.
    if (chosen < 0) chosen = lastPossible;
    return { tokenId: chosen, logprob: (logits[chosen] as number) / T - (m + Math.log(sum)) };
  }
  const lp = logSoftmax(logits, params.temperature);
  const { ids, probs } = candidateSet(logits, params);
  let cum = 0;
  let chosen = ids[ids.length - 1];
  for (let i = 0; i < ids.length; i++) {
    cum += probs[i];
    if (u < cum) {
      chosen = ids[i];
      break;
    }
  }
  return { tokenId: chosen, logprob: lp[chosen] };
}

/** The earliest occurrence of any stop string in `text` at or after `from`, or null. */
export function findStop(
  text: string,
  stops: readonly string[],
  from = 0,
): { index: number; stop: string } | null {
  let best: { index: number; stop: string } | null = null;
  for (const s of stops) {
    if (s.length === 0) continue;
    const i = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (i >= 0 && (best === null || i < best.index || (i === best.index && s.length > best.stop.length)))
      best = { index: i, stop: s };
  }
  return best;
}

/**
 * How many trailing characters of `text` could still begin a stop string: a streaming server
 * holds these back until the next token decides (so no partial stop string is ever emitted).
 */
export function stopHoldback(text: string, stops: readonly string[]): number {
  let hold = 0;
  for (const s of stops) {
    for (let k = Math.min(s.length - 1, text.length); k > hold; k--) {
      if (text.endsWith(s.slice(0, k))) {
        hold = k;
        break;
      }
    }
  }
  return hold;
}

/** True when `tokenId` is one of the EOS ids. */
export function isEos(tokenId: number, eosTokenIds: readonly number[]): boolean {
  return eosTokenIds.includes(tokenId);
}
