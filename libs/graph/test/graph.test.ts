import assert from 'node:assert/strict';
import { test } from 'node:test';
import { item, tensor } from '@grpo/onnx';
import { compileGraph, Graph } from '../src/index.js';
import { checkGrad } from './fd-helpers.js';

type Coded = Error & { code?: string; field?: string };
const coded = (code: string, field?: string) => (e: Coded) =>
  e.code === code && (field === undefined || e.field === field);

test('matmul with mismatched inner dims fails at composition with the shapes in the message', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', ['batch', 4]);
  const b = g.input('b', 'float32', [5, 2]);
  assert.throws(() => g.matmul(a, b), coded('GRPO_GRAPH_SHAPE_MISMATCH', 'matmul.b'));
  assert.throws(() => g.matmul(a, b), /\[batch, 4\] x \[5, 2\]/);
});

test('different symbolic dims do not broadcast', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', ['batch', 4]);
  const b = g.input('b', 'float32', ['seq', 4]);
  assert.throws(() => g.add(a, b), coded('GRPO_GRAPH_SHAPE_MISMATCH', 'add.b'));
  assert.deepEqual(g.add(a, g.input('c', 'float32', [1, 4])).shape, ['batch', 4]);
});

test('mixed dtypes are rejected with the op in the field', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', [2]);
  const b = g.input('b', 'float64', [2]);
  assert.throws(() => g.mul(a, b), coded('GRPO_GRAPH_DTYPE_MISMATCH', 'mul.b'));
  assert.throws(() => g.exp(g.input('i', 'int64', [2])), coded('GRPO_GRAPH_DTYPE_MISMATCH', 'exp.x'));
});

test('reshape checks element counts symbolically and infers -1 as a product', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 'seq', 8]);
  const flat = g.reshape(x, [-1, 8]);
  assert.deepEqual(flat.shape, ['batch*seq', 8]);
  assert.deepEqual(g.reshape(flat, ['batch', 'seq', 2, 4]).shape, ['batch', 'seq', 2, 4]);
  assert.throws(() => g.reshape(x, ['batch', 8]), coded('GRPO_GRAPH_SHAPE_MISMATCH', 'reshape.shape'));
});

test('grad of a non-scalar loss without a seed is refused', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [3]);
  assert.throws(() => g.grad(g.exp(x), [x]), coded('GRPO_GRAPH_SHAPE_MISMATCH', 'grad.loss'));
});

test('duplicate names and bad axes are reported with their field', () => {
  const g = new Graph();
  g.input('x', 'float32', [3]);
  assert.throws(() => g.input('x', 'float32', [3]), coded('GRPO_GRAPH_BAD_ARGUMENT', 'input.name'));
  const y = g.input('y', 'float32', [3, 2]);
  assert.throws(() => g.sum(y, [2]), coded('GRPO_GRAPH_BAD_ARGUMENT', 'sum.axes'));
  assert.throws(() => g.transpose(y, [0, 0]), coded('GRPO_GRAPH_BAD_ARGUMENT', 'transpose.perm'));
  assert.throws(() => new Graph().toOnnx(), coded('GRPO_GRAPH_BAD_ARGUMENT', 'output'));
});

test('a graph with symbolic batch and seq dims runs at two different sizes', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 'seq', 4]);
  const flat = g.reshape(x, [-1, 4]);
  const back = g.reshape(g.mul(flat, 2), ['batch', 'seq', 4]);
  const masked = g.where(g.causalMask('seq'), g.sum(back, [-1], true), 0);
  g.output('y', g.sum(masked));
  const s = await compileGraph(g);
  t.after(() => s.release());
  for (const [b, n] of [
    [1, 2],
    [3, 5],
  ] as const) {
    const data = Float32Array.from({ length: b * n * 4 }, () => 1);
    const r = await s.run({ x: tensor('float32', data, [b, n, 4]) });
    // each (b, i) row sums to 8 and is kept for j <= i: b * 8 * n(n+1)/2
    assert.equal(item(r.y!), (b * 8 * n * (n + 1)) / 2);
  }
});

test('a parameter that does not reach the loss gets a zero gradient', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2]);
  const unused = g.input('u', 'float64', [3]);
  const [gx, gu] = g.grad(g.sum(g.square(x)), [x, unused]);
  g.output('gx', gx!);
  g.output('gu', gu!);
  const s = await compileGraph(g);
  t.after(() => s.release());
  const r = await s.run({ x: tensor('float64', [1, 2], [2]), u: tensor('float64', [5, 6, 7], [3]) });
  assert.deepEqual([...(r.gx!.data as Float64Array)], [2, 4]);
  assert.deepEqual([...(r.gu!.data as Float64Array)], [0, 0, 0]);
});

test('stopGradient passes values but no gradient', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2]);
  const y = g.mul(x, g.stopGradient(x));
  const [gx] = g.grad(g.sum(y), [x]);
  g.output('gx', gx!);
  const s = await compileGraph(g);
  t.after(() => s.release());
  const r = await s.run({ x: tensor('float64', [3, -2], [2]) });
  assert.deepEqual([...(r.gx!.data as Float64Array)], [3, -2]);
});

test('the finite-difference check rejects a gradient that is wrong', async () => {
  // d/dx (x * sg(x)) is reported as x, while the forward function's slope is 2x.
  await assert.rejects(
    checkGrad((g, [x]) => g.mul(x!, g.stopGradient(x!)), [{ shape: [3], lo: 0.5, hi: 1 }]),
    /analytic/,
  );
});

test('float32 graphs run the same ops as float64 ones', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float32', [2, 3]);
  const w = g.param('w', [3, 3]);
  const loss = g.mean(g.logSoftmax(g.matmul(x, w)));
  const [gw] = g.grad(loss, [w]);
  g.output('gw', gw!);
  const s = await compileGraph(g);
  t.after(() => s.release());
  const r = await s.run({
    x: tensor('float32', [1, 2, 3, 4, 5, 6], [2, 3]),
    w: tensor('float32', new Float32Array(9), [3, 3]),
  });
  // with w = 0 the logits are equal, so softmax is uniform and d mean(logp) / dw = 0
  for (const v of r.gw!.data as Float32Array) assert.ok(Math.abs(v) < 1e-6);
});

test('max splits the gradient equally among tied maxima', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2, 3]);
  const [gx] = g.grad(g.sum(g.max(x, [1])), [x]);
  g.output('gx', gx!);
  const s = await compileGraph(g);
  t.after(() => s.release());
  const r = await s.run({ x: tensor('float64', [1, 5, 5, 2, 2, 2], [2, 3]) });
  const third = 1 / 3;
  assert.deepEqual([...(r.gx!.data as Float64Array)], [0, 0.5, 0.5, third, third, third]);
});

test('a fully masked attention row stays finite and gets zero gradient through the mask', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float64', [2, 2]);
  const keep = g.constant([0, 0, 1, 1], [2, 2], 'bool');
  const p = g.softmax(g.where(keep, x, -1e9), -1);
  const [gx] = g.grad(g.sum(g.mul(p, g.constant([1, 2, 3, 4], [2, 2], 'float64'))), [x]);
  g.output('p', p);
  g.output('gx', gx!);
  const s = await compileGraph(g);
  t.after(() => s.release());
  const r = await s.run({ x: tensor('float64', [1, 2, 3, 4], [2, 2]) });
  assert.deepEqual([...(r.p!.data as Float64Array)].slice(0, 2), [0.5, 0.5]);
  assert.deepEqual([...(r.gx!.data as Float64Array)].slice(0, 2), [0, 0]);
});

test('biases default to zeros and matrices to normal(0, 1/sqrt(fanIn))', () => {
  const g = new Graph();
  g.param('w', [16, 4]);
  g.param('b', [4]);
  assert.deepEqual(g.params[0]!.init, { kind: 'normal', std: 0.25 });
  assert.deepEqual(g.params[1]!.init, { kind: 'zeros' });
});
