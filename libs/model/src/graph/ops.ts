import { broadcastShapes, type Dim, type Graph, type Sym } from '@grpo/graph';
import { BAD_INPUT, ModelError } from '../errors.js';

/**
 * Small ops composed from libs/graph's public builder for the transformer graphs. Each is a
 * candidate to move into libs/graph (listed in the README); none needs a gradient rule of its
 * own except `assumeShape` (identity).
 */

/**
 * Re-declares `x`'s symbolic shape (an Identity node). Used where the builder cannot prove two
 * symbolic dims equal, e.g. concat(past, new) along the sequence gives `past+seq`, which the
 * caller guarantees equals the attention mask's `total`. The run-time tensor is unchanged.
 */
export function assumeShape(g: Graph, x: Sym, shape: readonly Dim[]): Sym {
  if (shape.length !== x.shape.length) {
    throw new ModelError(
      BAD_INPUT,
      'assumeShape.shape',
      `assumeShape: rank ${shape.length} != ${x.shape.length}`,
    );
  }
  return g.node('Identity', [x], x.dtype, shape, {}, (gy) => [gy]);
}

/** Elementwise logical and of two bool tensors, broadcasting. */
export function logicalAnd(g: Graph, a: Sym, b: Sym): Sym {
  const shape = broadcastShapes(a.shape, b.shape, 'and');
  return g.node('And', [a, b], 'bool', shape);
}

/** RMSNorm over the last axis (Zhang & Sennrich 2019, arXiv:1910.07467), as LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * w. */
export function rmsNormGraph(g: Graph, x: Sym, w: Sym, eps: number): Sym {
  const ms = g.mean(g.square(x), [-1], true);
  return g.mul(g.mul(x, g.rsqrt(g.add(ms, eps))), w);
}

/**
 * Rotary embedding in the rotate_half layout (RoFormer, Su et al. 2021, arXiv:2104.09864;
 * transformers' `apply_rotary_pos_emb`): x' = x * cos + rotate_half(x) * sin, with dimension i
 * paired with i + headDim/2. `cos`/`sin` hold headDim/2 values and broadcast against x's halves.
 */
export function ropeGraph(g: Graph, x: Sym, cos: Sym, sin: Sym, headDim: number): Sym {
  const half = headDim / 2;
  const x1 = g.slice(x, -1, 0, half);
  const x2 = g.slice(x, -1, half, headDim);
  const r1 = g.sub(g.mul(x1, cos), g.mul(x2, sin));
  const r2 = g.add(g.mul(x2, cos), g.mul(x1, sin));
  return g.concat([r1, r2], -1);
}

/** Scalar int64 from a length-1 int64 vector (Squeeze). */
function squeezeScalar(g: Graph, v: Sym): Sym {
  return g.node('Squeeze', [v, g.ints([0])], 'int64', []);
}

/**
 * Causal mask for `seq` new queries appended after `total - seq` cached keys: (seq, total), bool,
 * true where key slot j <= total - seq + i (the query's own slot). `seqOf`/`totalOf` are
 * tensors whose axis 1 has the run-time size (e.g. input_ids and attention_mask).
 */
export function slotCausalMask(g: Graph, seqOf: Sym, totalOf: Sym): Sym {
  const seq = seqOf.shape[1]!;
  const total = totalOf.shape[1]!;
  const seqN = squeezeScalar(g, g.dimOf(seqOf, 1));
  const totalN = squeezeScalar(g, g.dimOf(totalOf, 1));
  const one = g.scalar(1, 'int64');
  const zero = g.scalar(0, 'int64');
  const first = g.node('Sub', [totalN, seqN], 'int64', []);
  const rows = g.node('Range', [first, totalN, one], 'int64', [seq]);
  const cols = g.node('Range', [zero, totalN, one], 'int64', [total]);
  const r = g.node('Unsqueeze', [rows, g.ints([1])], 'int64', [seq, 1]);
  const c = g.node('Unsqueeze', [cols, g.ints([0])], 'int64', [1, total]);
  return g.node('LessOrEqual', [c, r], 'bool', [seq, total]);
}

/** x[:, -1] of a (batch, seq, ...) tensor: the last position (no gradient rule; inference graphs only). */
export function lastPosition(g: Graph, x: Sym): Sym {
  const shape = [x.shape[0]!, ...x.shape.slice(2)];
  return g.node('Gather', [x, g.scalar(-1, 'int64')], x.dtype, shape, { axis: { kind: 'int', value: 1 } });
}
