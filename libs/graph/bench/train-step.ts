// Train-step benchmark: ORT's best fp32 GEMM throughput on this machine, then the
// train-step throughput of a transformer block stack (forward + backward + clip + AdamW in
// one session.run), as model FLOP/s = 6 * params * tokens / s and its ratio to the GEMM peak.
//
//   node --conditions=source --import tsx libs/graph/bench/train-step.ts
//   env: LAYERS=4 D_MODEL=512 HEADS=8 VOCAB=2048 BATCH=1 SEQ=256 STEPS=5 PROFILE=1
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tensor } from '@grpo/onnx';
import { compileGraph, Graph, Rng, Trainer } from '../src/index.js';
import { type BlockStackConfig, buildBlockStack, gemmParams } from './transformer.js';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const threads = env('THREADS', os.availableParallelism());

async function gemmPeak(): Promise<{ size: number; gflops: number }[]> {
  const out: { size: number; gflops: number }[] = [];
  for (const n of [256, 512, 1024, 2048]) {
    const g = new Graph();
    const a = g.input('a', 'float32', [n, n]);
    const b = g.input('b', 'float32', [n, n]);
    g.output('c', g.matmul(a, b));
    const s = await compileGraph(g, { intraOpNumThreads: threads });
    const rng = new Rng(n);
    const feeds = {
      a: tensor(
        'float32',
        Float32Array.from({ length: n * n }, () => rng.uniform()),
        [n, n],
      ),
      b: tensor(
        'float32',
        Float32Array.from({ length: n * n }, () => rng.uniform()),
        [n, n],
      ),
    };
    const reps = Math.max(5, Math.round(4e9 / (2 * n * n * n)));
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < reps + 1; r++) {
      const t0 = performance.now();
      await s.run(feeds);
      const dt = performance.now() - t0;
      if (r > 0) best = Math.min(best, dt);
    }
    out.push({ size: n, gflops: (2 * n * n * n) / (best / 1e3) / 1e9 });
    await s.release();
  }
  return out;
}

async function main(): Promise<void> {
  const gemm = await gemmPeak();
  for (const r of gemm) console.log(`gemm ${r.size}x${r.size}x${r.size}: ${r.gflops.toFixed(1)} GFLOP/s`);
  let peak = Math.max(...gemm.map((r) => r.gflops));
  console.log(`gemm peak: ${peak.toFixed(1)} GFLOP/s (${threads} threads)`);

  const c: BlockStackConfig = {
    layers: env('LAYERS', 4),
    dModel: env('D_MODEL', 512),
    heads: env('HEADS', 8),
    vocab: env('VOCAB', 2048),
    batch: env('BATCH', 1),
    seqLen: env('SEQ', 256),
  };
  const profile = process.env.PROFILE === '1';
  const t0 = performance.now();
  const trainer = await Trainer.create({
    build: (g) => buildBlockStack(g, c),
    optimizer: { kind: 'adamw', weightDecay: 0.1 },
    maxGradNorm: 1,
    seed: 1,
    session: { intraOpNumThreads: threads, enableProfiling: profile },
  });
  console.log(`session created in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
  const rng = new Rng(7);
  const n = c.batch * c.seqLen;
  const ids = () => BigInt64Array.from({ length: n }, () => BigInt(rng.int(c.vocab)));
  const batch = {
    tokens: tensor('int64', ids(), [c.batch, c.seqLen]),
    targets: tensor('int64', ids(), [c.batch, c.seqLen]),
  };
  const steps = env('STEPS', 5);
  const times: number[] = [];
  for (let s = 0; s < steps + 1; s++) {
    const t1 = performance.now();
    const r = await trainer.step(batch, 1e-3);
    const dt = performance.now() - t1;
    if (s > 0) times.push(dt);
    console.log(
      `step ${s}: loss ${r.loss.toFixed(4)} grad_norm ${r.gradNorm.toFixed(3)} ${dt.toFixed(0)} ms`,
    );
  }
  // The machine may be shared: measure the GEMM peak again after the steps and compare
  // best against best.
  const again = Math.max(...(await gemmPeak()).map((r) => r.gflops));
  console.log(`gemm peak re-measured after the steps: ${again.toFixed(1)} GFLOP/s`);
  peak = Math.max(peak, again);
  times.sort((p, q) => p - q);
  const med = times[Math.floor(times.length / 2)]!;
  const best = times[0]!;
  const params = gemmParams(c);
  const flops = 6 * params * n;
  const model = flops / (best / 1e3) / 1e9;
  console.log(
    `model: ${c.layers} layers, d ${c.dModel}, heads ${c.heads}, vocab ${c.vocab}, tokens/step ${n}, ` +
      `GEMM params ${(params / 1e6).toFixed(2)} M`,
  );
  console.log(
    `train step: best ${best.toFixed(0)} ms, median ${med.toFixed(0)} ms, ${(n / (best / 1e3)).toFixed(0)} tokens/s`,
  );
  console.log(
    `model FLOP/s (6*params*tokens/s): ${model.toFixed(1)} GFLOP/s = ${((100 * model) / peak).toFixed(1)}% of GEMM peak`,
  );
  if (profile) {
    trainer.endProfiling();
    printProfile();
  }
  await trainer.release();
}

/** Sums ORT's per-node profile (the newest grpo_ort_profile*.json in the temp dir) by op type. */
function printProfile(): void {
  const dir = os.tmpdir();
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('grpo_ort_profile') && f.endsWith('.json'))
    .map((f) => ({ f: path.join(dir, f), t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((p, q) => q.t - p.t);
  if (!files[0]) return;
  const events = JSON.parse(fs.readFileSync(files[0].f, 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string };
  }[];
  fs.unlinkSync(files[0].f);
  const byOp = new Map<string, number>();
  let total = 0;
  let runs = 0;
  let runUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') {
      runs++;
      runUs += e.dur;
    }
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
    total += e.dur;
  }
  console.log(
    `profile: ${runs} runs, ORT model_run ${(runUs / 1e3 / runs).toFixed(0)} ms/step, kernels ` +
      `${(total / 1e3 / runs).toFixed(0)} ms/step (the rest of the wall time is the Node binding: feeds, output copies)`,
  );
  console.log('kernel time by op type over the profiled steps:');
  for (const [op, us] of [...byOp].sort((p, q) => q[1] - p[1]).slice(0, 15)) {
    console.log(
      `  ${op.padEnd(20)} ${(us / 1e3).toFixed(0).padStart(7)} ms  ${((100 * us) / total).toFixed(1)}%`,
    );
  }
}

await main();
