import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, tensor } from '@grpo/onnx';
import { type Graph, Rng, type Sym, Trainer } from '../src/index.js';

/** Toy regression: y = sin(2 x0) + x1^2 / 2 on 64 points of [-1, 1]^2. */
function regressionData(n: number, seed: number): Record<string, Tensor> {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform() * 2 - 1;
    const b = rng.uniform() * 2 - 1;
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = Math.sin(2 * a) + (b * b) / 2;
  }
  return { x: tensor('float32', x, [n, 2]), y: tensor('float32', y, [n, 1]) };
}

function mlp(g: Graph): Sym {
  const x = g.input('x', 'float32', ['batch', 2]);
  const y = g.input('y', 'float32', ['batch', 1]);
  const w1 = g.param('w1', [2, 32]);
  const b1 = g.param('b1', [32], { init: { kind: 'zeros' } });
  const w2 = g.param('w2', [32, 1]);
  const b2 = g.param('b2', [1], { init: { kind: 'zeros' } });
  const h = g.tanh(g.add(g.matmul(x, w1), b1));
  const pred = g.add(g.matmul(h, w2), b2);
  return g.mean(g.square(g.sub(pred, y)));
}

test('a small MLP fits a toy regression to mean squared error below 0.01', async (t) => {
  const trainer = await Trainer.create({ build: mlp, optimizer: { kind: 'adamw', weightDecay: 0 }, seed: 3 });
  t.after(() => trainer.release());
  const data = regressionData(64, 11);
  const first = (await trainer.step(data, 1e-2)).loss;
  let last = first;
  for (let i = 0; i < 400; i++) last = (await trainer.step(data, 1e-2)).loss;
  assert.ok(first > 0.1, `initial loss ${first} is not trivially small`);
  assert.ok(last < 0.01, `final loss ${last} < 0.01`);
});

test('training is bitwise deterministic for a fixed seed and thread count', async (t) => {
  const run = async () => {
    const tr = await Trainer.create({
      build: mlp,
      optimizer: { kind: 'adamw' },
      maxGradNorm: 1,
      seed: 5,
      session: { intraOpNumThreads: 2 },
    });
    t.after(() => tr.release());
    const data = regressionData(32, 2);
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) losses.push((await tr.step(data, 1e-2)).loss);
    return { losses, w1: tr.param('w1') };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.w1, b.w1);
});

test('gradient accumulation over 2 micro-batches equals one step on the whole batch', async (t) => {
  const whole = regressionData(32, 4);
  const half = (k: number): Record<string, Tensor> => ({
    x: tensor('float32', (whole.x!.data as Float32Array).slice(k * 32, (k + 1) * 32), [16, 2]),
    y: tensor('float32', (whole.y!.data as Float32Array).slice(k * 16, (k + 1) * 16), [16, 1]),
  });
  const spec = { build: mlp, optimizer: { kind: 'adamw' as const }, maxGradNorm: 0.5, seed: 9 };
  const a = await Trainer.create(spec);
  const b = await Trainer.create(spec);
  t.after(() => a.release());
  t.after(() => b.release());
  for (let s = 0; s < 3; s++) {
    const ra = await a.step(whole, 1e-2);
    const rb = await b.step([half(0), half(1)], 1e-2);
    assert.ok(Math.abs(ra.loss - rb.loss) < 1e-5, `step ${s} loss ${ra.loss} vs ${rb.loss}`);
    assert.ok(
      Math.abs(ra.gradNorm - rb.gradNorm) < 1e-4 * ra.gradNorm,
      `grad norm ${ra.gradNorm} vs ${rb.gradNorm}`,
    );
  }
  for (const name of ['w1', 'b1', 'w2', 'b2']) {
    const pa = a.param(name);
    const pb = b.param(name);
    for (let i = 0; i < pa.length; i++)
      assert.ok(Math.abs(pa[i]! - pb[i]!) < 1e-5, `${name}[${i}] ${pa[i]} vs ${pb[i]}`);
  }
});

/**
 * Shift task: the target at position i is the token at i - 1 (position 0 predicts itself),
 * so the model must attend to the previous position: one head, causal mask, learned positions.
 */
test('a one-head causal attention block learns a shift task to cross-entropy below 0.05', async (t) => {
  const V = 8;
  const T = 6;
  const D = 16;
  const B = 16;
  const build = (g: Graph): Sym => {
    const tokens = g.input('tokens', 'int64', [B, T]);
    const targets = g.input('targets', 'int64', [B, T, 1]);
    const emb = g.param('emb', [V, D]);
    const pos = g.param('pos', [T, D]);
    const wq = g.param('wq', [D, D]);
    const wk = g.param('wk', [D, D]);
    const wv = g.param('wv', [D, D]);
    const wo = g.param('wo', [D, V]);
    const x = g.add(g.gather(emb, tokens), pos);
    const scores = g.mul(g.matmul(g.matmul(x, wq), g.swapLast(g.matmul(x, wk))), 1 / Math.sqrt(D));
    const att = g.softmax(g.where(g.causalMask(T), scores, -1e9), -1);
    const h = g.add(g.matmul(att, g.matmul(x, wv)), x);
    const logp = g.logSoftmax(g.matmul(h, wo), -1);
    return g.neg(g.mean(g.pick(logp, targets, -1)));
  };
  const trainer = await Trainer.create({
    build,
    optimizer: { kind: 'adamw', weightDecay: 0 },
    maxGradNorm: 1,
    seed: 1,
  });
  t.after(() => trainer.release());
  const rng = new Rng(21);
  const sample = (): Record<string, Tensor> => {
    const tok = new BigInt64Array(B * T);
    const tgt = new BigInt64Array(B * T);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) tok[b * T + i] = BigInt(rng.int(V));
      for (let i = 0; i < T; i++) tgt[b * T + i] = tok[b * T + Math.max(0, i - 1)]!;
    }
    return { tokens: tensor('int64', tok, [B, T]), targets: tensor('int64', tgt, [B, T, 1]) };
  };
  let loss = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 400; s++) loss = (await trainer.step(sample(), 1e-2)).loss;
  const evalLoss = await trainer.evaluate(sample());
  assert.ok(evalLoss < 0.05, `held-out shift loss ${evalLoss} (last train loss ${loss}) < 0.05`);
});
