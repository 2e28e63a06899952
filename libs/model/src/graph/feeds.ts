import { type Tensor, tensor } from '@grpo/onnx';
import type { ModelConfig } from '../config.js';
import { BAD_INPUT, MISSING_TENSOR, ModelError } from '../errors.js';
import { ropeInvFreq } from '../rope.js';
import type { TensorMap } from '../safetensors.js';
import { bindWeights, parameterSpecs } from '../weights.js';

/**
 * Host-side RoPE tables: cos/sin of position p for each of the headDim/2 frequencies, computed
 * exactly as `rope.ts` (angle = float32(p * f_i), then float32 cos/sin, as torch does), cached
 * per position up to max_position_embeddings. The graphs take them as inputs, so one graph
 * serves every position and scaling (default, linear, llama3) without large constants.
 */
export class RopeTables {
  readonly half: number;
  private readonly invFreq: Float32Array;
  private readonly maxPositions: number;
  private cos = new Float32Array(0);
  private sin = new Float32Array(0);
  private filled = 0;

  constructor(c: ModelConfig) {
    this.invFreq = ropeInvFreq(c);
    this.half = c.headDim / 2;
    this.maxPositions = c.maxPositionEmbeddings;
  }

  private ensure(n: number): void {
    if (n <= this.filled) return;
    const cap = Math.min(this.maxPositions, Math.max(n, 2 * this.filled, 64));
    const cos = new Float32Array(cap * this.half);
    const sin = new Float32Array(cap * this.half);
    cos.set(this.cos);
    sin.set(this.sin);
    for (let p = this.filled; p < cap; p++) {
      for (let i = 0; i < this.half; i++) {
        const a = Math.fround(p * this.invFreq[i]);
        cos[p * this.half + i] = Math.cos(a);
        sin[p * this.half + i] = Math.sin(a);
      }
    }
    this.cos = cos;
    this.sin = sin;
    this.filled = cap;
  }

  /** cos/sin tensors (rows, cols, headDim/2) for a row-major (rows, cols) grid of positions. */
  tensors(positions: ArrayLike<number>, rows: number, cols: number): { cos: Tensor; sin: Tensor } {
    let max = 0;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i];
      if (!Number.isInteger(p) || p < 0 || p >= this.maxPositions) {
        throw new ModelError(
          BAD_INPUT,
          'positions',
          `position ${p} is outside [0, ${this.maxPositions}) (max_position_embeddings)`,
        );
      }
      if (p > max) max = p;
    }
    this.ensure(max + 1);
    const n = positions.length * this.half;
    const cos = new Float32Array(n);
    const sin = new Float32Array(n);
    for (let i = 0; i < positions.length; i++) {
      const src = positions[i] * this.half;
      cos.set(this.cos.subarray(src, src + this.half), i * this.half);
      sin.set(this.sin.subarray(src, src + this.half), i * this.half);
    }
    const dims = [rows, cols, this.half];
    return { cos: tensor('float32', cos, dims), sin: tensor('float32', sin, dims) };
  }
}

/**
 * The weight feeds of a graph built with `paramWeights`: every parameter the config implies,
 * by HF name, checked against the config (shape, presence) through `bindWeights`. The typed
 * arrays are shared, not copied.
 */
export function weightFeeds(c: ModelConfig, tensors: TensorMap): Record<string, Tensor> {
  bindWeights(c, tensors);
  const out: Record<string, Tensor> = {};
  for (const [name, shape] of parameterSpecs(c)) {
    const t = tensors.get(name);
    if (!t || !(t.data instanceof Float32Array))
      throw new ModelError(MISSING_TENSOR, name, `checkpoint has no float tensor ${name}`);
    out[name] = tensor('float32', t.data, shape, name);
  }
  return out;
}

/** Checks that every id is a token of the vocabulary; `field` names the offending array. */
export function checkTokenIds(ids: readonly number[], vocabSize: number, field: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new ModelError(BAD_INPUT, `${field}[${i}]`, `token id ${id} is outside [0, ${vocabSize})`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * An int64 tensor from plain numbers. Values in the int32 range (token ids, positions, masks:
 * every feed of a decode step) are written as two 32-bit words, which is several times faster
 * than a `BigInt` per value; others go through `BigInt` (a non-integer throws its RangeError).
 */
export function int64Tensor(values: ArrayLike<number>, dims: readonly number[]): Tensor {
  const n = values.length;
  const a = new BigInt64Array(n);
  const words = LITTLE_ENDIAN ? new Int32Array(a.buffer) : null;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (words && (v | 0) === v) {
      words[2 * i] = v;
      words[2 * i + 1] = v < 0 ? -1 : 0;
    } else a[i] = BigInt(v);
  }
  return tensor('int64', a, dims);
}
