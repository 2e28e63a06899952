// log-softmax benchmark: the graph's logSoftmax (x - max - log(sum(exp(x - max))), five ops that
// all run on the WebGPU provider) against ORT's one LogSoftmax kernel (no WebGPU kernel), forward
// and backward of mean(pick(logSoftmax(x), targets)) over (batch, seq, vocab) logits on the CPU EP.
//
//   node --conditions=source --import tsx libs/graph/bench/log-softmax.ts
//   env: BATCH=4 SEQ=256 VOCAB=32768 REPS=5 THREADS=<cores> EP=cpu|webgpu
import os from 'node:os';
import { type ExecutionProvider, tensor } from '@grpo/onnx';
import { compileGraph, Graph, Rng, type Sym } from '../src/index.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const B = env('BATCH', 4);
const T = env('SEQ', 256);
const V = env('VOCAB', 32768);
const reps = env('REPS', 5);
const ep = (process.env.EP ?? 'cpu') as ExecutionProvider;

/** ORT's LogSoftmax node with the same gradient rule the graph used before issue #25. */
function fusedLogSoftmax(g: Graph, x: Sym): Sym {
  return g.node('LogSoftmax', [x], x.dtype, x.shape, { axis: { kind: 'int', value: 2 } }, (gy, y) => {
    const s = g.sum(gy, [2], true);
    return [g.sub(gy, g.mul(g.exp(y), s))];
  });
}

async function time(kind: 'composite' | 'fused'): Promise<number> {
  const g = new Graph();
  const x = g.input('x', 'float32', [B, T, V]);
  const idx = g.input('idx', 'int64', [B, T, 1]);
  const lp = kind === 'fused' ? fusedLogSoftmax(g, x) : g.logSoftmax(x, -1);
  const loss = g.mean(g.pick(lp, idx, -1));
  const [dx] = g.grad(loss, [x]);
  g.output('loss', loss);
  g.output('dx', g.sum(dx!));
  const s = await compileGraph(g, {
    executionProvider: ep,
    intraOpNumThreads: env('THREADS', os.availableParallelism()),
  });
  const rng = new Rng(1);
  const feeds = {
    x: tensor(
      'float32',
      Float32Array.from({ length: B * T * V }, () => rng.normal() * 3),
      [B, T, V],
    ),
    idx: tensor(
      'int64',
      BigInt64Array.from({ length: B * T }, (_, i) => BigInt((i * 7919) % V)),
      [B, T, 1],
    ),
  };
  await s.run(feeds);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await s.run(feeds);
    best = Math.min(best, performance.now() - t0);
  }
  await s.release();
  return best;
}

const composite = await time('composite');
const fused = await time('fused');
console.log(`log-softmax fwd+bwd (${B}, ${T}, ${V}) on ${ep}, best of ${reps}:`);
console.log(`  composite (stays on WebGPU): ${composite.toFixed(1)} ms`);
console.log(
  `  ORT LogSoftmax (CPU kernel): ${fused.toFixed(1)} ms   ratio ${(composite / fused).toFixed(2)}`,
);
