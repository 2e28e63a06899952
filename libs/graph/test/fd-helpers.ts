// Central finite-difference gradient checks in float64, shared by the gradient tests.
import assert from 'node:assert/strict';
import { type Tensor, tensor } from '@grpo/onnx';
import { compileGraph, type DType, Graph, Rng, type Sym } from '../src/index.js';

export interface InputSpec {
  shape: number[];
  dtype?: DType;
  /** Values; default: uniform in [lo, hi) from the seeded stream. */
  values?: number[];
  lo?: number;
  hi?: number;
  /** For int64 inputs: values in [0, int). */
  int?: number;
}

/** Step and tolerance of the checks: |analytic - numeric| <= ABS_TOL + REL_TOL * |numeric|. */
export const H = 1e-5;
export const ABS_TOL = 1e-6;
export const REL_TOL = 1e-5;

/**
 * Checks d/dx sum(f(x) * r) for every float64 input against central differences,
 * (L(x + h e_i) - L(x - h e_i)) / 2h, with r a fixed random weighting of f's output so
 * every output element's gradient path is exercised.
 */
export async function checkGrad(
  f: (g: Graph, xs: Sym[]) => Sym,
  specs: InputSpec[],
  seed = 1,
): Promise<void> {
  const rng = new Rng(seed);
  const g = new Graph();
  const xs = specs.map((s, i) => g.input(`x${i}`, s.dtype ?? 'float64', s.shape));
  const y = f(g, xs);
  assert.ok(
    y.shape.every((d) => typeof d === 'number'),
    'checkGrad needs static output shapes',
  );
  const n = (y.shape as number[]).reduce((a, b) => a * b, 1);
  const r = g.constant(
    Array.from({ length: n }, () => rng.uniform() * 2 - 1),
    y.shape as number[],
    'float64',
  );
  const loss = g.sum(g.mul(y, r));
  const floatIdx = specs.map((s, i) => ((s.dtype ?? 'float64') === 'float64' ? i : -1)).filter((i) => i >= 0);
  const grads = g.grad(
    loss,
    floatIdx.map((i) => xs[i]!),
  );
  g.output('loss', loss);
  grads.forEach((gr, k) => {
    g.output(`g${k}`, gr);
  });
  const session = await compileGraph(g, { intraOpNumThreads: 1 });
  try {
    const values = specs.map((s) => {
      const len = s.shape.reduce((a, b) => a * b, 1);
      if (s.values) return s.values.slice();
      if (s.int !== undefined) return Array.from({ length: len }, () => rng.int(s.int!));
      const lo = s.lo ?? -1;
      const hi = s.hi ?? 1;
      return Array.from({ length: len }, () => lo + (hi - lo) * rng.uniform());
    });
    const feeds = (vals: number[][]): Record<string, Tensor> => {
      const out: Record<string, Tensor> = {};
      specs.forEach((s, i) => {
        out[`x${i}`] = tensor(s.dtype ?? 'float64', vals[i]!, s.shape);
      });
      return out;
    };
    const base = await session.run(feeds(values));
    for (let k = 0; k < floatIdx.length; k++) {
      const i = floatIdx[k]!;
      const analytic = base[`g${k}`]!.data as Float64Array;
      assert.equal(analytic.length, values[i]!.length, `gradient of x${i} has the input's size`);
      for (let e = 0; e < values[i]!.length; e++) {
        const plus = values.map((v) => v.slice());
        const minus = values.map((v) => v.slice());
        plus[i]![e]! += H;
        minus[i]![e]! -= H;
        const lp = (await session.run(feeds(plus), ['loss'])).loss!.data[0] as number;
        const lm = (await session.run(feeds(minus), ['loss'])).loss!.data[0] as number;
        const numeric = (lp - lm) / (2 * H);
        const err = Math.abs(analytic[e]! - numeric);
        assert.ok(
          err <= ABS_TOL + REL_TOL * Math.abs(numeric),
          `d/dx${i}[${e}]: analytic ${analytic[e]} vs numeric ${numeric} (err ${err})`,
        );
      }
    }
  } finally {
    await session.release();
  }
}
