/**
 * Micro-benchmarks of libs/model (a few seconds in all). Run from the repository root:
 *   node --conditions=source --import tsx libs/model/scripts/bench.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createRng,
  createTinyPolicy,
  loadWeights,
  ReferenceModel,
  sampleToken,
  saveWeights,
  type TensorMap,
} from '../src/index.js';

function time(label: string, n: number, unit: string, fn: () => void): void {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = (performance.now() - t0) / n;
  console.log(`${label}: ${ms.toFixed(2)} ms/${unit}`);
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-model-bench-'));
try {
  const p = await createTinyPolicy({ dir: path.join(dir, 'tiny'), seed: 1 });
  const m = new ReferenceModel(p.config, p.weights);
  const ids = Array.from({ length: 128 }, (_, i) => 265 + (i % 90));
  console.log(
    `tiny policy: qwen2, hidden ${p.config.hiddenSize}, ${p.config.numLayers} layers, vocab ${p.config.vocabSize}`,
  );
  time('reference forward, 128 tokens', 5, 'call', () => m.forward(ids));
  const t0 = performance.now();
  const cache = m.createCache(256);
  m.step(cache, ids);
  for (let i = 0; i < 64; i++) m.step(cache, [300]);
  console.log(
    `prefill 128 + decode 64 with KV cache: ${((performance.now() - t0) / 64).toFixed(2)} ms/decoded token (amortised)`,
  );

  const rng = createRng(1);
  const row = Float32Array.from({ length: 151936 }, () => rng.normal() * 3);
  time('sample, vocab 151936, unfiltered', 20, 'token', () => sampleToken(row, { temperature: 1 }, rng));
  time('sample, vocab 151936, top-k 50', 20, 'token', () =>
    sampleToken(row, { temperature: 0.7, topK: 50 }, rng),
  );
  time('sample, vocab 151936, top-p 0.9', 5, 'token', () =>
    sampleToken(row, { temperature: 0.7, topP: 0.9 }, rng),
  );

  const big: TensorMap = new Map();
  for (let i = 0; i < 8; i++)
    big.set(`w${i}`, { shape: [1024, 1024], data: new Float32Array(1024 * 1024).fill(i) });
  let t = performance.now();
  await saveWeights(path.join(dir, 'big'), big, { dtype: 'BF16' });
  console.log(`save 8M params as BF16: ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  await loadWeights(path.join(dir, 'big'));
  console.log(`load 8M BF16 params to fp32: ${(performance.now() - t).toFixed(0)} ms`);
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
