import ort from 'onnxruntime-node';
import { BAD_TENSOR, OnnxError } from './errors.js';
import type { DType } from './proto.js';

/** ORT's tensor class, re-exported so no other package imports onnxruntime-node. */
export const Tensor = ort.Tensor;
export type Tensor = ort.Tensor;

/** The typed array that holds each dtype's elements. */
export interface DataOf {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  uint8: Uint8Array;
}

const ctor = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  uint8: Uint8Array,
} as const;

/** Number of elements of a shape (1 for a scalar). */
export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Makes a tensor from a typed array or a plain number array (converted to `dtype`).
 * Throws `GRPO_ONNX_BAD_TENSOR` when the element count does not match `dims`.
 */
export function tensor<D extends DType>(
  dtype: D,
  data: DataOf[D] | readonly number[],
  dims: readonly number[],
  field = 'tensor',
): Tensor {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new OnnxError(BAD_TENSOR, field, `${field}: dims must be non-negative integers, got [${dims}]`);
    }
  }
  let arr: DataOf[DType];
  if (Array.isArray(data)) {
    arr =
      dtype === 'int64'
        ? BigInt64Array.from(data as number[], (v) => BigInt(v))
        : (ctor[dtype] as Float64ArrayConstructor).from(data as number[]);
  } else {
    arr = data as DataOf[D];
    if (!(arr instanceof ctor[dtype])) {
      throw new OnnxError(
        BAD_TENSOR,
        field,
        `${field}: data must be a ${ctor[dtype].name} for dtype ${dtype}`,
      );
    }
  }
  if (arr.length !== numel(dims)) {
    throw new OnnxError(
      BAD_TENSOR,
      field,
      `${field}: ${arr.length} elements do not fill dims [${dims}] (${numel(dims)} elements)`,
    );
  }
  return new ort.Tensor(dtype, arr as never, dims);
}

/** A tensor of zeros. */
export function zeros(dtype: DType, dims: readonly number[]): Tensor {
  return new ort.Tensor(dtype, new ctor[dtype](numel(dims)) as never, dims);
}

/** A rank-0 tensor. */
export function scalar(dtype: 'float32' | 'float64' | 'int64' | 'int32', value: number): Tensor {
  return tensor(dtype, [value], []);
}

/** Copies a numeric tensor's elements into a Float64Array (int64 via Number). */
export function toFloat64(t: Tensor): Float64Array {
  const d = t.data;
  if (d instanceof BigInt64Array) return Float64Array.from(d, (v) => Number(v));
  if (typeof d[0] === 'string') throw new OnnxError(BAD_TENSOR, 'tensor', 'string tensors are not numeric');
  return Float64Array.from(d as ArrayLike<number>);
}

/** The single value of a one-element tensor, as a number. */
export function item(t: Tensor): number {
  if (t.size !== 1) throw new OnnxError(BAD_TENSOR, 'tensor', `item(): tensor has ${t.size} elements, not 1`);
  return toFloat64(t)[0]!;
}
