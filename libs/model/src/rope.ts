import type { ModelConfig } from './config.js';

/**
 * Rotary embeddings (Su et al. 2021, RoFormer, arXiv:2104.09864) in the "rotate_half" layout
 * of transformers' modeling_llama.py: dimension i pairs with i + headDim/2, and
 * x' = x * cos(p * f_i) + rotate_half(x) * sin(p * f_i), with rotate_half(x) = [-x2, x1].
 */

/**
 * Inverse frequencies f_i = 1 / theta^(2i / headDim), i < headDim/2, with the config's scaling,
 * rounded to float32 as torch computes them (modeling_rope_utils.py:
 * `_compute_default_rope_parameters`, `_compute_linear_scaling_rope_parameters`, `_compute_llama3_parameters`).
 */
export function ropeInvFreq(c: Pick<ModelConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float32Array {
  const half = c.headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    // torch: base ** (arange(0, dim, 2).float() / dim), all in float32.
    const expo = Math.fround((2 * i) / c.headDim);
    inv[i] = Math.fround(1 / Math.fround(c.ropeTheta ** expo));
  }
  const s = c.ropeScaling;
  if (!s) return inv;
  if (s.type === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = Math.fround(inv[i] / s.factor);
    return inv;
  }
  // Llama 3.1: divide low frequencies (wavelength above old_ctx/low_freq_factor) by factor, keep
  // high ones, and interpolate smoothly in between.
  const lowFreqWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < half; i++) {
    const f = inv[i];
    const wavelen = (2 * Math.PI) / f;
    let out = wavelen > lowFreqWavelen ? f / s.factor : f;
    if (!(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen)) {
      const smooth =
        (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out = (1 - smooth) * (out / s.factor) + smooth * out;
    }
    inv[i] = Math.fround(out);
  }
  return inv;
}

/** cos/sin tables for one position, each (headDim/2); angle = float32(p * f_i) as torch's float32 matmul. */
export function ropeAngles(
  invFreq: Float32Array,
  position: number,
): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(invFreq.length);
  const sin = new Float64Array(invFreq.length);
  for (let i = 0; i < invFreq.length; i++) {
    const a = Math.fround(position * invFreq[i]);
    cos[i] = Math.fround(Math.cos(a));
    sin[i] = Math.fround(Math.sin(a));
  }
  return { cos, sin };
}

/** Rotates one head vector in place (length headDim, at `offset` in `x`). */
export function applyRope(
  x: Float32Array,
  offset: number,
  headDim: number,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const x1 = x[offset + i];
    const x2 = x[offset + i + half];
    x[offset + i] = x1 * cos[i] - x2 * sin[i];
    x[offset + i + half] = x2 * cos[i] + x1 * sin[i];
  }
}
