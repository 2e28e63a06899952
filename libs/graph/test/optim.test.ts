import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '@grpo/onnx';
import { type Graph, type Sym, Trainer } from '../src/index.js';

// Loss 0.5 * sum(c * (w - target)^2) has gradient c * (w - target), known on the host.
const target = [0.5, -1, 2, 0, 3, -2];
const coef = [1, 2, 0.5, 3, 1, 4];

function quadratic(g: Graph): Sym {
  const w = g.param('w', [2, 3], { dtype: 'float64', init: { kind: 'ones' } });
  const tgt = g.input('target', 'float64', [2, 3]);
  const c = g.input('coef', 'float64', [2, 3]);
  return g.mul(g.sum(g.mul(c, g.square(g.sub(w, tgt)))), 0.5);
}

const feeds = () => ({ target: tensor('float64', target, [2, 3]), coef: tensor('float64', coef, [2, 3]) });
const hostGrad = (w: number[]) => w.map((v, i) => coef[i]! * (v - target[i]!));

for (const weightDecay of [0.1, 0]) {
  test(`AdamW matches a host reference with bias correction and decoupled weight decay ${weightDecay}`, async (t) => {
    const o = { beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay };
    const trainer = await Trainer.create({ build: quadratic, optimizer: { kind: 'adamw', ...o } });
    t.after(() => trainer.release());
    let w = new Array(6).fill(1);
    const m = new Array(6).fill(0);
    const v = new Array(6).fill(0);
    const lrs = [0.1, 0.05, 0.2, 0.1];
    for (let s = 1; s <= lrs.length; s++) {
      const lr = lrs[s - 1]!;
      const gr = hostGrad(w);
      w = w.map((p, i) => {
        m[i] = o.beta1 * m[i]! + (1 - o.beta1) * gr[i]!;
        v[i] = o.beta2 * v[i]! + (1 - o.beta2) * gr[i]! * gr[i]!;
        const mh = m[i]! / (1 - o.beta1 ** s);
        const vh = v[i]! / (1 - o.beta2 ** s);
        return p - lr * o.weightDecay * p - (lr * mh) / (Math.sqrt(vh) + o.eps);
      });
      await trainer.step(feeds(), lr);
      const got = trainer.param('w');
      w.forEach((e, i) => {
        assert.ok(Math.abs(got[i]! - e) < 1e-12, `step ${s} w[${i}]: ${got[i]} vs ${e}`);
      });
    }
  });
}

test('global-norm clipping matches a host reference and reports the pre-clip norm', async (t) => {
  const maxNorm = 0.5;
  const trainer = await Trainer.create({
    build: quadratic,
    optimizer: { kind: 'sgd' },
    maxGradNorm: maxNorm,
  });
  t.after(() => trainer.release());
  const gr = hostGrad(new Array(6).fill(1));
  const norm = Math.sqrt(gr.reduce((a, b) => a + b * b, 0));
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  const r = await trainer.step(feeds(), 1);
  assert.ok(Math.abs(r.gradNorm - norm) < 1e-12, `norm ${r.gradNorm} vs ${norm}`);
  const got = trainer.param('w');
  gr.forEach((g, i) => {
    assert.ok(Math.abs(got[i]! - (1 - g * scale)) < 1e-12, `w[${i}]`);
  });
  const clipped = Math.sqrt(Array.from(got).reduce((a, p) => a + (1 - p) ** 2, 0));
  assert.ok(Math.abs(clipped - maxNorm) < 1e-5, `the applied update has norm maxNorm (${clipped})`);
});

test('clipping leaves gradients below the threshold unchanged', async (t) => {
  const trainer = await Trainer.create({ build: quadratic, optimizer: { kind: 'sgd' }, maxGradNorm: 1e6 });
  t.after(() => trainer.release());
  await trainer.step(feeds(), 0.1);
  const gr = hostGrad(new Array(6).fill(1));
  const got = trainer.param('w');
  gr.forEach((g, i) => {
    assert.ok(Math.abs(got[i]! - (1 - 0.1 * g)) < 1e-12, `w[${i}]`);
  });
});

test('SGD with momentum and weight decay matches a host reference', async (t) => {
  const mu = 0.9;
  const wd = 0.01;
  const trainer = await Trainer.create({
    build: quadratic,
    optimizer: { kind: 'sgd', momentum: mu, weightDecay: wd },
  });
  t.after(() => trainer.release());
  let w = new Array(6).fill(1);
  let buf = new Array(6).fill(0);
  for (let s = 0; s < 3; s++) {
    const gr = hostGrad(w).map((g, i) => g + wd * w[i]!);
    buf = buf.map((b, i) => mu * b + gr[i]!);
    w = w.map((p, i) => p - 0.05 * buf[i]!);
    await trainer.step(feeds(), 0.05);
  }
  const got = trainer.param('w');
  w.forEach((e, i) => {
    assert.ok(Math.abs(got[i]! - e) < 1e-12, `w[${i}]: ${got[i]} vs ${e}`);
  });
});

test('a zero learning rate with zero weight decay leaves parameters unchanged', async (t) => {
  const trainer = await Trainer.create({ build: quadratic, optimizer: { kind: 'adamw', weightDecay: 0 } });
  t.after(() => trainer.release());
  await trainer.step(feeds(), 0);
  assert.deepEqual([...trainer.param('w')], new Array(6).fill(1));
});

test('bad trainer arguments fail with a code and the field', async () => {
  await assert.rejects(
    Trainer.create({ build: quadratic, optimizer: { kind: 'sgd' }, maxGradNorm: 0 }),
    (e: Error & { code?: string; field?: string }) =>
      e.code === 'GRPO_GRAPH_BAD_ARGUMENT' && e.field === 'maxGradNorm',
  );
  const trainer = await Trainer.create({ build: quadratic, optimizer: { kind: 'sgd' } });
  await assert.rejects(
    trainer.step({ target: tensor('float64', target, [2, 3]) }, 0.1),
    (e: Error & { code?: string; field?: string }) =>
      e.code === 'GRPO_GRAPH_BAD_FEED' && e.field === 'batch.coef',
  );
  await assert.rejects(
    trainer.step(feeds(), Number.NaN),
    (e: Error & { code?: string }) => e.code === 'GRPO_GRAPH_BAD_ARGUMENT',
  );
  await trainer.release();
});

test('a loss that does not depend on a parameter leaves only weight decay acting on it', async (t) => {
  const trainer = await Trainer.create({
    build: (g) => {
      const w = g.param('w', [3], { dtype: 'float64', init: { kind: 'ones' } });
      const x = g.input('x', 'float64', [3]);
      return g.add(g.sum(g.square(x)), g.mul(g.sum(w), 0));
    },
    optimizer: { kind: 'adamw', weightDecay: 0.5 },
  });
  t.after(() => trainer.release());
  const r = await trainer.step({ x: tensor('float64', [1, 2, 3], [3]) }, 0.1);
  assert.equal(r.loss, 14);
  assert.equal(r.gradNorm, 0);
  assert.deepEqual([...trainer.param('w')], [0.95, 0.95, 0.95]);
  await assert.rejects(
    trainer.step([], 0.1),
    (e: Error & { code?: string }) => e.code === 'GRPO_GRAPH_BAD_FEED',
  );
});

test('setParam replaces parameter values and checks their size', async (t) => {
  const trainer = await Trainer.create({ build: quadratic, optimizer: { kind: 'sgd' } });
  t.after(() => trainer.release());
  trainer.setParam('w', Float64Array.from(target));
  const r = await trainer.step(feeds(), 0.1);
  assert.equal(r.loss, 0);
  assert.deepEqual([...trainer.param('w')], target);
  assert.throws(
    () => trainer.setParam('w', new Float64Array(5)),
    (e: Error & { field?: string }) => e.field === 'params.w',
  );
});
