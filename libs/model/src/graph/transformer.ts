import type { Dim, Graph, Sym } from '@grpo/graph';
import type { ModelConfig } from '../config.js';
import {
  ropeGraph as applyRope,
  assumeShape,
  logicalAnd,
  rmsNormGraph as rmsNorm,
  slotCausalMask,
} from './ops.js';

/**
 * The llama-family decoder defined once on libs/graph (Llama/SmolLM, Qwen2, Qwen3), following
 * transformers' modeling_llama.py / modeling_qwen2.py / modeling_qwen3.py as `reference.ts`
 * does. Every graph of this package (logprobs, train step, prefill, decode) is this function
 * with different inputs and outputs.
 */

/** Supplies the tensor for a parameter by HF name and shape: a graph input (`g.param`) or a constant. */
export type WeightSource = (name: string, shape: readonly number[]) => Sym;

/** Weights as trainable graph inputs named by their HF names (fed at run time). */
export function paramWeights(g: Graph): WeightSource {
  return (name, shape) => g.param(name, shape);
}

export interface TransformerInputs {
  /** (batch, seq) int64 token ids. */
  inputIds: Sym;
  /** (batch, seq, headDim/2) float32 RoPE cos/sin of each token's position (host tables, `RopeTables`). */
  cos: Sym;
  sin: Sym;
  /**
   * (batch, total) int64, 1 for a real key slot and 0 for padding; total = past + seq. Queries
   * attend causally by slot: query i (slot past + i) sees key slots <= past + i that are not padding.
   */
  attentionMask: Sym;
  /**
   * Cached keys (after RoPE) and values per layer, each (batch, kvHeads, past, headDim): the
   * whole host cache buffer (`HostKvCache`), its unwritten slots masked out by attentionMask.
   * Omit for a forward from scratch.
   */
  past?: readonly { key: Sym; value: Sym }[];
}

export interface TransformerOutputs {
  /** (batch, seq, hidden) after the final RMSNorm. */
  hidden: Sym;
  /** Keys (after RoPE) and values of the new tokens per layer, each (batch, kvHeads, seq, headDim). */
  newKv: { key: Sym; value: Sym }[];
  /** hidden -> logits (..., vocab) through the LM head (tied or untied). */
  lmHead: (h: Sym) => Sym;
}

/**
 * Splits x (..., past + seq) along the last axis at the run-time size of `pastOf`'s axis 2
 * (inference graphs only: no gradient rule).
 */
function splitLast(g: Graph, x: Sym, pastOf: Sym): [Sym, Sym] {
  const pastDim = pastOf.shape[2]!;
  const seqDim: Dim = x.shape.length > 1 ? x.shape[x.shape.length - 2]! : 1;
  const axis = g.ints([x.shape.length - 1]);
  const n = g.dimOf(pastOf, 2);
  const head = g.node('Slice', [x, g.ints([0]), n, axis], x.dtype, [...x.shape.slice(0, -1), pastDim]);
  const tail = g.node('Slice', [x, n, g.ints([Number.MAX_SAFE_INTEGER]), axis], x.dtype, [
    ...x.shape.slice(0, -1),
    seqDim,
  ]);
  return [head, tail];
}

/** The dim concat declares for two lengths along one axis. */
function sumDim(a: Dim, b: Dim): Dim {
  return typeof a === 'number' && typeof b === 'number' ? a + b : `${a}+${b}`;
}

/** x (..., in) times a torch Linear weight W (out, in) stored as HF does, plus an optional bias. */
function linear(g: Graph, x: Sym, w: Sym, b: Sym | null): Sym {
  const y = g.matmul(x, g.swapLast(w));
  return b ? g.add(y, b) : y;
}

/**
 * Builds the decoder on `g`. Parameters come from `weight(name, shape)` with HF names
 * (`model.layers.0.self_attn.q_proj.weight`, ...), so safetensors maps load straight in.
 *
 * Attention: GQA (Ainslie et al. 2023, arXiv:2305.13245) without materialising repeated
 * heads: queries are grouped as (batch, kvHeads, group, seq, headDim) and broadcast against
 * keys (batch, kvHeads, 1, total, headDim), so query head h reads kv head floor(h / group) as
 * `repeat_kv` does. Scores are scaled by 1/sqrt(headDim) (Vaswani et al. 2017).
 */
export function defineTransformer(
  g: Graph,
  c: ModelConfig,
  weight: WeightSource,
  inp: TransformerInputs,
): TransformerOutputs {
  const h = c.hiddenSize;
  const hd = c.headDim;
  const H = c.numHeads;
  const kvH = c.numKvHeads;
  const group = H / kvH;
  const f = c.intermediateSize;
  const B: Dim = inp.inputIds.shape[0]!;
  const T: Dim = inp.inputIds.shape[1]!;
  // The key axis is past + seq (what concat(past, new) declares). The caller guarantees the
  // mask has that many slots; re-declaring the small mask, rather than the keys and values,
  // keeps the cache free of Identity copies.
  const pastLen = inp.past?.[0]?.key.shape[2];
  const total: Dim = pastLen === undefined ? T : sumDim(pastLen, T);
  const attentionMask = assumeShape(g, inp.attentionMask, [B, total]);
  const embed = weight('model.embed_tokens.weight', [c.vocabSize, h]);
  let x = g.gather(embed, inp.inputIds);

  // Masks shared by every layer: (batch, 1, 1, seq, total).
  const causal = slotCausalMask(g, inp.inputIds, attentionMask);
  const keyOk = g.unsqueeze(g.cast(attentionMask, 'bool'), [1, 2, 3]);
  const mask = logicalAnd(g, keyOk, g.unsqueeze(causal, [0, 1, 2]));
  // RoPE tables broadcast over heads: q is (B, T, kvH, group, hd/2 halves), k is (B, T, kvH, hd/2).
  const cosQ = g.unsqueeze(inp.cos, [2, 3]);
  const sinQ = g.unsqueeze(inp.sin, [2, 3]);
  const cosK = g.unsqueeze(inp.cos, [2]);
  const sinK = g.unsqueeze(inp.sin, [2]);
  const scale = 1 / Math.sqrt(hd);
  const newKv: { key: Sym; value: Sym }[] = [];

  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const a = `${p}.self_attn`;
    const bias = (name: string, size: number, on: boolean) => (on ? weight(name, [size]) : null);
    const n1 = rmsNorm(g, x, weight(`${p}.input_layernorm.weight`, [h]), c.rmsNormEps);
    let q = linear(
      g,
      n1,
      weight(`${a}.q_proj.weight`, [H * hd, h]),
      bias(`${a}.q_proj.bias`, H * hd, c.qkvBias),
    );
    let k = linear(
      g,
      n1,
      weight(`${a}.k_proj.weight`, [kvH * hd, h]),
      bias(`${a}.k_proj.bias`, kvH * hd, c.qkvBias),
    );
    const v = linear(
      g,
      n1,
      weight(`${a}.v_proj.weight`, [kvH * hd, h]),
      bias(`${a}.v_proj.bias`, kvH * hd, c.qkvBias),
    );
    q = g.reshape(q, [B, T, kvH, group, hd]);
    k = g.reshape(k, [B, T, kvH, hd]);
    if (c.qkNorm) {
      // Qwen3: per-head RMSNorm of q and k before RoPE (modeling_qwen3.py Qwen3Attention).
      q = rmsNorm(g, q, weight(`${a}.q_norm.weight`, [hd]), c.rmsNormEps);
      k = rmsNorm(g, k, weight(`${a}.k_norm.weight`, [hd]), c.rmsNormEps);
    }
    q = g.mul(applyRope(g, q, cosQ, sinQ, hd), scale);
    k = applyRope(g, k, cosK, sinK, hd);
    const vr = g.reshape(v, [B, T, kvH, hd]);
    const kNew = g.transpose(k, [0, 2, 1, 3]); // (B, kvH, T, hd)
    const vNew = g.transpose(vr, [0, 2, 1, 3]);
    newKv.push({ key: kNew, value: vNew });
    const qh = g.transpose(q, [0, 2, 3, 1, 4]); // (B, kvH, group, T, hd)
    // q k^T: the transposed operand is fused into the GEMM by ORT (FusedMatMul transB).
    const scoresNew = g.matmul(qh, g.swapLast(g.unsqueeze(kNew, [2]))); // (B, kvH, group, T, T)
    const past = inp.past?.[l];
    let ctx: Sym;
    if (past) {
      // Attend to the cache buffer and to the new slots separately and join the scores, so
      // the cache is read in place and never concatenated or copied.
      const scoresPast = g.matmul(qh, g.swapLast(g.unsqueeze(past.key, [2]))); // (B, kvH, group, T, past)
      const scores = g.concat([scoresPast, scoresNew], -1);
      const probs = g.softmax(g.where(mask, scores, -1e9), -1);
      const [pPast, pNew] = splitLast(g, probs, past.key);
      ctx = g.add(g.matmul(pPast, g.unsqueeze(past.value, [2])), g.matmul(pNew, g.unsqueeze(vNew, [2])));
    } else {
      const probs = g.softmax(g.where(mask, scoresNew, -1e9), -1);
      ctx = g.matmul(probs, g.unsqueeze(vNew, [2])); // (B, kvH, group, T, hd)
    }
    const o = g.reshape(g.transpose(ctx, [0, 3, 1, 2, 4]), [B, T, H * hd]);
    x = g.add(
      x,
      linear(g, o, weight(`${a}.o_proj.weight`, [h, H * hd]), bias(`${a}.o_proj.bias`, h, c.oBias)),
    );

    const m = `${p}.mlp`;
    const n2 = rmsNorm(g, x, weight(`${p}.post_attention_layernorm.weight`, [h]), c.rmsNormEps);
    const gate = linear(
      g,
      n2,
      weight(`${m}.gate_proj.weight`, [f, h]),
      bias(`${m}.gate_proj.bias`, f, c.mlpBias),
    );
    const up = linear(g, n2, weight(`${m}.up_proj.weight`, [f, h]), bias(`${m}.up_proj.bias`, f, c.mlpBias));
    // SwiGLU (Shazeer 2020, arXiv:2002.05202): down(silu(gate(x)) * up(x)).
    const act = g.mul(g.silu(gate), up);
    x = g.add(
      x,
      linear(g, act, weight(`${m}.down_proj.weight`, [h, f]), bias(`${m}.down_proj.bias`, h, c.mlpBias)),
    );
  }
  const hidden = rmsNorm(g, x, weight('model.norm.weight', [h]), c.rmsNormEps);
  const headW = c.tieWordEmbeddings ? embed : weight('lm_head.weight', [c.vocabSize, h]);
  return { hidden, newKv, lmHead: (hs) => linear(g, hs, headW, null) };
}
