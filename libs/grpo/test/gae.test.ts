import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '@grpo/graph';
import {
  AlgorithmInputError,
  computeGae,
  explainedVariance,
  gaeReference,
  tokenRewards,
  whitenMasked,
} from '../src/index.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/** Rows with prompts (leading zeros), padding (trailing zeros), an empty row and a one-token row. */
const ROWS = [
  { offset: 0, length: 6 },
  { offset: 2, length: 3 },
  { offset: 4, length: 0 },
  { offset: 1, length: 1 },
  { offset: 3, length: 4 },
];
const T = 7;

function batch(seed: number) {
  const rng = new Rng(seed);
  const B = ROWS.length;
  const mask = new Float64Array(B * T);
  const values = new Float64Array(B * T);
  const kl = new Float64Array(B * T);
  // Prompt and padding positions hold large junk on purpose: masking must keep it out.
  values.fill(1e6);
  kl.fill(-1e6);
  ROWS.forEach((r, b) => {
    for (let t = r.offset; t < r.offset + r.length; t++) {
      mask[b * T + t] = 1;
      values[b * T + t] = 2 * rng.uniform() - 1;
      kl[b * T + t] = rng.uniform() * 0.3;
    }
  });
  const outcome = ROWS.map(() => (rng.uniform() < 0.5 ? 1 : 0));
  return { B, mask, values, kl, outcome };
}

const nested = (x: ArrayLike<number>, B: number) =>
  Array.from({ length: B }, (_, b) => Array.from(x).slice(b * T, (b + 1) * T));

test('the recursion equals the direct-sum float64 reference for several gamma and lambda', () => {
  for (const [gamma, lambda] of [
    [1, 1],
    [1, 0.95],
    [0.99, 0.95],
    [0.9, 0],
    [0.5, 0.3],
  ] as const) {
    for (const seed of [1, 2, 3]) {
      const { B, mask, values, kl, outcome } = batch(seed);
      const r = tokenRewards({ rows: B, seq: T, outcome, mask, kl, klCoef: 0.1 });
      const got = computeGae(B, T, r, values, mask, { gamma, lambda });
      const want = gaeReference(nested(r, B), nested(values, B), nested(mask, B), { gamma, lambda });
      for (let i = 0; i < B * T; i++) {
        close(got.advantages[i]!, want.advantages.flat()[i]!, 1e-12, `adv[${i}] g=${gamma} l=${lambda}`);
        close(got.returns[i]!, want.returns.flat()[i]!, 1e-12, `ret[${i}] g=${gamma} l=${lambda}`);
        if (!mask[i]) assert.equal(got.advantages[i], 0);
      }
    }
  }
});

test('float32 inputs give the float64 reference within 1e-5', () => {
  const { B, mask, values, kl, outcome } = batch(7);
  const r = tokenRewards({ rows: B, seq: T, outcome, mask, kl, klCoef: 0.05 });
  const got = computeGae(B, T, Float32Array.from(r), Float32Array.from(values), mask, {
    gamma: 1,
    lambda: 0.95,
  });
  const want = gaeReference(nested(r, B), nested(values, B), nested(mask, B), { gamma: 1, lambda: 0.95 });
  want.advantages.flat().forEach((a, i) => {
    close(got.advantages[i]!, a, 1e-5, `adv[${i}]`);
  });
});

test('lambda = gamma = 1 with an outcome reward only: advantage is the reward minus the value, return is the reward', () => {
  // One row: prompt of 2, three actions with values 0.2, 0.5, 0.9, padding of 1; reward 1.
  const mask = [0, 0, 1, 1, 1, 0];
  const values = [9, 9, 0.2, 0.5, 0.9, 9];
  const r = tokenRewards({ rows: 1, seq: 6, outcome: [1], mask });
  assert.deepEqual(Array.from(r), [0, 0, 0, 0, 1, 0]);
  const { advantages, returns } = computeGae(1, 6, r, values, mask, { gamma: 1, lambda: 1 });
  [0, 0, 0.8, 0.5, 0.1, 0].forEach((a, i) => {
    close(advantages[i]!, a, 1e-12, `adv[${i}]`);
  });
  [0, 0, 1, 1, 1, 0].forEach((x, i) => {
    close(returns[i]!, x, 1e-12, `ret[${i}]`);
  });
});

test('hand-computed gamma 0.5, lambda 0.5 on two actions', () => {
  // V = [1, 2], r = [0, 4]: delta_1 = 4 - 2 = 2; delta_0 = 0 + 0.5 * 2 - 1 = 0.
  // A_1 = 2; A_0 = 0 + 0.25 * 2 = 0.5; returns = A + V = [1.5, 4].
  const { advantages, returns } = computeGae(1, 2, [0, 4], [1, 2], [1, 1], { gamma: 0.5, lambda: 0.5 });
  assert.deepEqual(Array.from(advantages), [0.5, 2]);
  assert.deepEqual(Array.from(returns), [1.5, 4]);
});

test('lambda = 0 gives the one-step TD error', () => {
  const { advantages } = computeGae(1, 3, [0.1, 0.2, 1], [0.3, 0.6, 0.4], [1, 1, 1], {
    gamma: 0.9,
    lambda: 0,
  });
  [0.1 + 0.9 * 0.6 - 0.3, 0.2 + 0.9 * 0.4 - 0.6, 1 - 0.4].forEach((a, i) => {
    close(advantages[i]!, a, 1e-12, `adv[${i}]`);
  });
});

test('per-token KL goes into the reward of every action, the outcome onto the last one only', () => {
  const r = tokenRewards({
    rows: 2,
    seq: 3,
    outcome: [2, 5],
    mask: [1, 1, 0, 0, 0, 0],
    kl: [0.5, 1, 99, 99, 99, 99],
    klCoef: 0.1,
  });
  [-0.05, 2 - 0.1, 0, 0, 0, 0].forEach((x, i) => {
    close(r[i]!, x, 1e-12, `r[${i}]`);
  });
});

test('whitening is over action tokens only, leaves padding at 0, and has mean 0 and std 1', () => {
  const { B, mask, values } = batch(3);
  const w = whitenMasked(values, mask);
  const xs = Array.from(w).filter((_, i) => mask[i]);
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  close(m, 0, 1e-12, 'mean');
  close(sd, 1, 1e-6, 'std');
  for (let i = 0; i < B * T; i++) if (!mask[i]) assert.equal(w[i], 0);
  assert.deepEqual(Array.from(whitenMasked([3], [1])), [0]);
});

test('explained variance is 1 for perfect values, 0 for a constant mean, and ignores masked positions', () => {
  const mask = [1, 1, 1, 0];
  assert.equal(explainedVariance([1, 2, 3, 50], [1, 2, 3, -50], mask), 1);
  close(explainedVariance([1, 2, 3, 50], [2, 2, 2, 0], mask), 0, 1e-12, 'constant');
  assert.equal(explainedVariance([1, 1, 1, 0], [0, 0, 0, 0], mask), 0);
});

test('bad input names the field', () => {
  assert.throws(
    () => computeGae(1, 2, [0, 1], [0, 0], [1, 1], { gamma: 1.5, lambda: 1 }),
    (e: unknown) => e instanceof AlgorithmInputError && e.field === 'gae.gamma',
  );
  assert.throws(
    () => computeGae(1, 2, [0, 1], [0, Number.NaN], [1, 1], { gamma: 1, lambda: 1 }),
    (e: unknown) => e instanceof AlgorithmInputError && e.field === 'values[1]',
  );
  assert.throws(
    () => tokenRewards({ rows: 2, seq: 2, outcome: [1], mask: [1, 1, 1, 1] }),
    (e: unknown) => e instanceof AlgorithmInputError && e.field === 'outcome',
  );
  // NaN on a masked-out position is ignored.
  computeGae(1, 2, [0, 1], [Number.NaN, 0], [0, 1], { gamma: 1, lambda: 1 });
});
