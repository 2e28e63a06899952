// The README's example, kept runnable so the docs stay true.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '@grpo/onnx';
import { compileGraph, Graph, Trainer } from '../src/index.js';

test('the README example builds a graph, takes its gradient and runs train steps', async (t) => {
  const g = new Graph();
  const x = g.input('x', 'float32', ['batch', 4]);
  const w = g.param('w', [4, 2]);
  const loss = g.mean(g.square(g.matmul(x, w)));
  const [dw] = g.grad(loss, [w]);
  g.output('loss', loss);
  g.output('dw', dw!);
  const session = await compileGraph(g);
  t.after(() => session.release());
  const out = await session.run({
    x: tensor(
      'float32',
      Float32Array.from({ length: 12 }, (_, i) => i),
      [3, 4],
    ),
    w: tensor('float32', new Float32Array(8).fill(1), [4, 2]),
  });
  assert.deepEqual(out.dw!.dims, [4, 2]);

  const trainer = await Trainer.create({
    build: (g) => {
      const x = g.input('x', 'float32', ['batch', 2]);
      const y = g.input('y', 'float32', ['batch', 1]);
      const h = g.tanh(g.matmul(x, g.param('w1', [2, 32])));
      return g.mean(g.square(g.sub(g.matmul(h, g.param('w2', [32, 1])), y)));
    },
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    maxGradNorm: 1,
    seed: 0,
  });
  t.after(() => trainer.release());
  const batch = {
    x: tensor(
      'float32',
      Float32Array.from({ length: 16 }, (_, i) => i / 16),
      [8, 2],
    ),
    y: tensor('float32', new Float32Array(8).fill(0.5), [8, 1]),
  };
  const first = await trainer.step(batch, 1e-2);
  await trainer.step([batch, batch], 1e-2);
  const after = await trainer.evaluate(batch);
  assert.ok(after < first.loss, `loss went down: ${first.loss} -> ${after}`);
  assert.equal(trainer.stepCount, 2);
});
