import type { ModelConfig } from './config.js';
import { BAD_INPUT, ModelError } from './errors.js';
import { applyRope, ropeAngles, ropeInvFreq } from './rope.js';
import type { LayerWeights, ModelWeights } from './weights.js';

/**
 * The plain reference forward of the llama family, written to follow transformers'
 * modeling_llama.py / modeling_qwen2.py / modeling_qwen3.py line by line, for readability
 * rather than speed. Activations are stored as float32, every dot product and reduction is
 * accumulated in float64. The graph-based engine is tested against this.
 *
 * Per layer (pre-norm residual):
 *   h = x + o_proj(attn(rope(q_norm?(q_proj(rms(x)))), rope(k_norm?(k_proj(rms(x)))), v_proj(rms(x))))
 *   x' = h + down_proj(silu(gate_proj(rms(h))) * up_proj(rms(h)))
 * then the final RMSNorm and the LM head (tied to embed_tokens or not).
 */

/** Keys and values of every layer for positions [0, length): (layers)(positions, kvHeads * headDim). */
export interface KvCache {
  length: number;
  readonly capacity: number;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
}

/** RMSNorm (Zhang & Sennrich 2019, arXiv:1910.07467): x / sqrt(mean(x^2) + eps) * w, as LlamaRMSNorm. */
export function rmsNorm(
  x: Float32Array,
  xOff: number,
  n: number,
  weight: Float32Array,
  eps: number,
  out: Float32Array,
  outOff: number,
): void {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[xOff + i] * x[xOff + i];
  const inv = 1 / Math.sqrt(ss / n + eps);
  for (let i = 0; i < n; i++) out[outOff + i] = weight[i] * Math.fround(x[xOff + i] * inv);
}

/** out (rows, outDim) = x (rows, inDim) · W^T + b, W stored [outDim, inDim] as torch.nn.Linear. */
export function linear(
  x: Float32Array,
  rows: number,
  inDim: number,
  w: Float32Array,
  outDim: number,
  bias: Float32Array | null,
): Float32Array {
  const out = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let acc = 0;
      for (let i = 0; i < inDim; i++) acc += x[xo + i] * w[wo + i];
      out[r * outDim + o] = bias ? acc + bias[o] : acc;
    }
  }
  return out;
}

function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

/** Query head h reads key/value head floor(h / (numHeads / numKvHeads)) (GQA, Ainslie et al. 2023, arXiv:2305.13245; `repeat_kv`). */
export function kvHeadFor(qHead: number, numHeads: number, numKvHeads: number): number {
  return Math.floor(qHead / (numHeads / numKvHeads));
}

export class ReferenceModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  private readonly invFreq: Float32Array;

  constructor(config: ModelConfig, weights: ModelWeights) {
    this.config = config;
    this.weights = weights;
    this.invFreq = ropeInvFreq(config);
  }

  /** An empty cache for up to `capacity` positions (default: max_position_embeddings). */
  createCache(capacity = this.config.maxPositionEmbeddings): KvCache {
    const c = this.config;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > c.maxPositionEmbeddings) {
      throw new ModelError(
        BAD_INPUT,
        'capacity',
        `cache capacity must be an integer in [1, ${c.maxPositionEmbeddings}], got ${capacity}`,
      );
    }
    const width = c.numKvHeads * c.headDim;
    return {
      length: 0,
      capacity,
      keys: Array.from({ length: c.numLayers }, () => new Float32Array(capacity * width)),
      values: Array.from({ length: c.numLayers }, () => new Float32Array(capacity * width)),
    };
  }

  /** Logits (seqLen, vocab) for every position of a token sequence, from an empty cache. */
  forward(tokenIds: readonly number[]): Float32Array {
    return this.step(
      this.createCache(Math.max(1, Math.min(tokenIds.length, this.config.maxPositionEmbeddings))),
      tokenIds,
    );
  }

  /**
   * Runs `tokenIds` at positions cache.length.. (a prefill chunk or one decode token), appends
   * their keys/values to the cache, and returns their logits (tokenIds.length, vocab).
   */
  step(cache: KvCache, tokenIds: readonly number[]): Float32Array {
    const c = this.config;
    const normed = this.stepHidden(cache, tokenIds);
    return linear(normed, tokenIds.length, c.hiddenSize, this.weights.lmHead, c.vocabSize, null);
  }

  /** Final hidden states (tokenIds.length, hidden) after the last RMSNorm, from an empty cache (the critic's input). */
  hidden(tokenIds: readonly number[]): Float32Array {
    return this.stepHidden(
      this.createCache(Math.max(1, Math.min(tokenIds.length, this.config.maxPositionEmbeddings))),
      tokenIds,
    );
  }

  private stepHidden(cache: KvCache, tokenIds: readonly number[]): Float32Array {
    const c = this.config;
    const n = tokenIds.length;
    if (n === 0) throw new ModelError(BAD_INPUT, 'tokenIds', 'tokenIds must not be empty');
    if (cache.length + n > cache.capacity) {
      throw new ModelError(
        BAD_INPUT,
        'tokenIds',
        `sequence of ${cache.length + n} positions exceeds the cache capacity ${cache.capacity} (max_position_embeddings ${c.maxPositionEmbeddings})`,
      );
    }
    const h = c.hiddenSize;
    const x = new Float32Array(n * h);
    for (let t = 0; t < n; t++) {
      const id = tokenIds[t];
      if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
        throw new ModelError(BAD_INPUT, `tokenIds[${t}]`, `token id ${id} is outside [0, ${c.vocabSize})`);
      x.set(this.weights.embedTokens.subarray(id * h, (id + 1) * h), t * h);
    }
    const start = cache.length;
    for (let l = 0; l < c.numLayers; l++) this.layer(l, this.weights.layers[l], x, n, start, cache);
    cache.length = start + n;
    const normed = new Float32Array(n * h);
    for (let t = 0; t < n; t++) rmsNorm(x, t * h, h, this.weights.norm, c.rmsNormEps, normed, t * h);
    return normed;
  }

  private layer(l: number, w: LayerWeights, x: Float32Array, n: number, start: number, cache: KvCache): void {
    const c = this.config;
    const h = c.hiddenSize;
    const hd = c.headDim;
    const qw = c.numHeads * hd;
    const kvw = c.numKvHeads * hd;
    const normed = new Float32Array(n * h);
    for (let t = 0; t < n; t++) rmsNorm(x, t * h, h, w.inputNorm, c.rmsNormEps, normed, t * h);
    const q = linear(normed, n, h, w.qProj, qw, w.qBias);
    const k = linear(normed, n, h, w.kProj, kvw, w.kBias);
    const v = linear(normed, n, h, w.vProj, kvw, w.vBias);
    for (let t = 0; t < n; t++) {
      // Qwen3 normalises each head of q and k before RoPE (modeling_qwen3.py Qwen3Attention).
      if (w.qNorm && w.kNorm) {
        for (let hh = 0; hh < c.numHeads; hh++)
          rmsNorm(q, t * qw + hh * hd, hd, w.qNorm, c.rmsNormEps, q, t * qw + hh * hd);
        for (let hh = 0; hh < c.numKvHeads; hh++)
          rmsNorm(k, t * kvw + hh * hd, hd, w.kNorm, c.rmsNormEps, k, t * kvw + hh * hd);
      }
      const { cos, sin } = ropeAngles(this.invFreq, start + t);
      for (let hh = 0; hh < c.numHeads; hh++) applyRope(q, t * qw + hh * hd, hd, cos, sin);
      for (let hh = 0; hh < c.numKvHeads; hh++) applyRope(k, t * kvw + hh * hd, hd, cos, sin);
    }
    const kc = cache.keys[l];
    const vc = cache.values[l];
    kc.set(k, start * kvw);
    vc.set(v, start * kvw);
    // Causal attention: the query at absolute position p attends to keys 0..p.
    const scale = 1 / Math.sqrt(hd);
    const attn = new Float32Array(n * qw);
    const scores = new Float64Array(start + n);
    for (let t = 0; t < n; t++) {
      const pos = start + t;
      for (let hh = 0; hh < c.numHeads; hh++) {
        const kvh = kvHeadFor(hh, c.numHeads, c.numKvHeads);
        const qo = t * qw + hh * hd;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j <= pos; j++) {
          const ko = j * kvw + kvh * hd;
          let s = 0;
          for (let d = 0; d < hd; d++) s += q[qo + d] * kc[ko + d];
          scores[j] = s * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j <= pos; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        for (let d = 0; d < hd; d++) {
          let acc = 0;
          for (let j = 0; j <= pos; j++) acc += scores[j] * vc[j * kvw + kvh * hd + d];
          attn[qo + d] = acc / sum;
        }
      }
    }
    const o = linear(attn, n, qw, w.oProj, h, w.oBias);
    for (let i = 0; i < x.length; i++) x[i] += o[i];
    for (let t = 0; t < n; t++) rmsNorm(x, t * h, h, w.postAttnNorm, c.rmsNormEps, normed, t * h);
    const f = c.intermediateSize;
    const gate = linear(normed, n, h, w.gateProj, f, w.gateBias);
    const up = linear(normed, n, h, w.upProj, f, w.upBias);
    for (let i = 0; i < gate.length; i++) gate[i] = silu(gate[i]) * up[i];
    const down = linear(gate, n, f, w.downProj, h, w.downBias);
    for (let i = 0; i < x.length; i++) x[i] += down[i];
  }
}

/** log-softmax of each row of (rows, vocab) logits, in float64. */
export function logSoftmaxRows(logits: Float32Array, vocab: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / vocab; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < vocab; i++) max = Math.max(max, logits[r * vocab + i]);
    let sum = 0;
    for (let i = 0; i < vocab; i++) sum += Math.exp(logits[r * vocab + i] - max);
    const lse = max + Math.log(sum);
    for (let i = 0; i < vocab; i++) out[r * vocab + i] = logits[r * vocab + i] - lse;
  }
  return out;
}
