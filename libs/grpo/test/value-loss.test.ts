import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGraph, type FloatDType, Graph, Rng } from '@grpo/graph';
import type { OnnxSession } from '@grpo/onnx';
import { tensor } from '@grpo/onnx';
import {
  AlgorithmConfigError,
  lossAggregations,
  type ValueLossConfig,
  valueLossGraph,
  valueLossReference,
} from '../src/index.js';

const T = 6;
// A full row, an empty row, prompt offsets and padding.
const ROWS = [
  { offset: 0, length: 6 },
  { offset: 2, length: 0 },
  { offset: 1, length: 3 },
  { offset: 4, length: 2 },
];
const B = ROWS.length;

interface Batch {
  values: number[];
  old: number[];
  ret: number[];
  mask: number[];
}

function randomBatch(seed: number): Batch {
  const rng = new Rng(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
  // Padding holds large values on purpose: squared unmasked they would dominate the loss.
  const b: Batch = {
    values: Array(B * T).fill(1e3),
    old: Array(B * T).fill(-1e3),
    ret: Array(B * T).fill(5e2),
    mask: Array(B * T).fill(0),
  };
  ROWS.forEach((r, row) => {
    for (let t = r.offset; t < r.offset + r.length; t++) {
      const i = row * T + t;
      const v = u(-1, 1);
      b.values[i] = v;
      // Old values both near (clip inactive) and far (clip active) from the new ones.
      b.old[i] = v + (rng.uniform() < 0.5 ? u(-0.1, 0.1) : u(-1, 1));
      b.ret[i] = u(-1, 1.5);
      b.mask[i] = 1;
    }
  });
  return b;
}

function refSeqs(b: Batch, values = b.values) {
  return ROWS.map((r, row) => {
    const sl = (xs: number[]) => xs.slice(row * T + r.offset, row * T + r.offset + r.length);
    return { values: sl(values), oldValues: sl(b.old), returns: sl(b.ret) };
  });
}

const configs: ValueLossConfig[] = lossAggregations.flatMap((aggregation) =>
  [0.2, null].map((clipValue) => ({ clipValue, coef: 0.5, aggregation, normLength: 8 })),
);

async function compile(c: ValueLossConfig, dtype: FloatDType): Promise<OnnxSession> {
  const g = new Graph();
  const values = g.input('values', dtype, ['batch', 'seq']);
  const mask = g.input('mask', dtype, ['batch', 'seq']);
  const { loss, clipFraction } = valueLossGraph(g, values, mask, c);
  g.output('loss', loss);
  g.output('clip_fraction', clipFraction);
  g.output('dvalues', g.grad(loss, [values])[0]!);
  return compileGraph(g, { intraOpNumThreads: 1 });
}

async function run(s: OnnxSession, dtype: FloatDType, b: Batch) {
  const t = (xs: number[]) =>
    tensor(dtype, dtype === 'float64' ? Float64Array.from(xs) : Float32Array.from(xs), [B, T]);
  const out = await s.run({ values: t(b.values), mask: t(b.mask), old_values: t(b.old), returns: t(b.ret) });
  return {
    loss: Number(out.loss!.data[0]),
    clipFraction: Number(out.clip_fraction!.data[0]),
    dvalues: Array.from(out.dvalues!.data as Float32Array | Float64Array, Number),
  };
}

for (const [dtype, tol] of [
  ['float64', 1e-12],
  ['float32', 1e-5],
] as const) {
  test(`in ${dtype} the graph value loss and clip fraction equal the plain-loop reference (tol ${tol})`, async () => {
    for (const c of configs) {
      const s = await compile(c, dtype);
      for (const seed of [1, 2]) {
        const b = randomBatch(seed);
        const got = await run(s, dtype, b);
        const want = valueLossReference(refSeqs(b), c);
        const what = `${c.aggregation} clip ${c.clipValue} seed ${seed}`;
        assert.ok(
          Math.abs(got.loss - want.loss) <= tol * Math.max(1, Math.abs(want.loss)),
          `${what}: ${got.loss} vs ${want.loss}`,
        );
        assert.ok(Math.abs(got.clipFraction - want.clipFraction) <= tol, `${what}: clip fraction`);
        if (c.clipValue !== null)
          assert.ok(want.clipFraction > 0 && want.clipFraction < 1, `${what}: clip both ways`);
      }
      await s.release();
    }
  });
}

test('the gradient w.r.t. the values matches central finite differences of the float64 reference', async () => {
  for (const c of configs) {
    const s = await compile(c, 'float64');
    const b = randomBatch(3);
    const got = (await run(s, 'float64', b)).dvalues;
    const h = 1e-6;
    for (let i = 0; i < B * T; i++) {
      if (!b.mask[i]) {
        assert.equal(got[i], 0, `padding ${i} has gradient ${got[i]}`);
        continue;
      }
      const at = (d: number) => {
        const v = [...b.values];
        v[i]! += d;
        return valueLossReference(refSeqs(b, v), c).loss;
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      assert.ok(
        Math.abs(got[i]! - fd) <= 1e-7 + 1e-5 * Math.abs(fd),
        `${c.aggregation} clip ${c.clipValue}: d loss / d v[${i}] graph ${got[i]} vs fd ${fd}`,
      );
    }
    await s.release();
  }
});

test('an all-empty batch gives loss 0 and zero gradients, not NaN', async () => {
  const c = configs[0]!;
  const s = await compile(c, 'float32');
  const b = randomBatch(4);
  b.mask.fill(0);
  const got = await run(s, 'float32', b);
  assert.equal(got.loss, 0);
  assert.equal(got.clipFraction, 0);
  assert.ok(got.dvalues.every((d) => d === 0));
  await s.release();
});

test('bad value-loss config names the field', () => {
  const g = new Graph();
  const v = g.input('values', 'float32', ['batch', 'seq']);
  const bad: [Partial<ValueLossConfig>, string][] = [
    [{ clipValue: 0 }, 'critic.clipValue'],
    [{ coef: -1 }, 'critic.valueCoef'],
    [{ aggregation: 'sum' as never }, 'critic.aggregation'],
    [{ normLength: 0 }, 'critic.normLength'],
  ];
  for (const [over, field] of bad)
    assert.throws(
      () => valueLossGraph(g, v, v, { ...configs[0]!, ...over }),
      (e: unknown) => e instanceof AlgorithmConfigError && e.field === field,
    );
});
