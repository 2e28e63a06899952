// Engine throughput: prefill tokens/s and batched decode tokens/s (16 sequences) for the tiny
// policy and a ~25M-parameter llama config, with weights fed as inputs, baked in as constants, or
// `auto` (prefill inputs, decode constants; the default).
//   node --conditions=source --import tsx libs/model/bench/engine.ts
//   env: THREADS (ORT intra-op threads, default all cores), DECODE_TOKENS (default 32), PROMPT (default 128),
//        ROUNDS (timed rounds after a warm-up, default 3; the best is reported)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTinyPolicy, type EngineWeights, PolicyEngine, type TinyPolicyOptions } from '../src/index.js';

const threads = process.env.THREADS ? Number(process.env.THREADS) : undefined;
const decodeTokens = Number(process.env.DECODE_TOKENS ?? 32);
const promptLen = Number(process.env.PROMPT ?? 128);
const BATCH = 16;

const MODELS: Record<string, Omit<TinyPolicyOptions, 'dir' | 'seed'>> = {
  tiny: { family: 'qwen2' },
  '25M': { family: 'llama', hiddenSize: 512, layers: 8, heads: 8, kvHeads: 4, intermediateSize: 1536 },
};

const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const rows: string[] = [];
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-engine-bench-'));
try {
  for (const [name, spec] of Object.entries(MODELS)) {
    const policy = await createTinyPolicy({ ...spec, dir: path.join(root, name), seed: 1 });
    let params = 0;
    for (const t of policy.tensors.values()) params += t.data.length;
    const modes: EngineWeights[] = ['inputs', 'constants', 'auto'];
    const engines: PolicyEngine[] = [];
    const createMs: number[] = [];
    for (const mode of modes) {
      const t0 = performance.now();
      engines.push(
        await PolicyEngine.create(policy, {
          weights: mode,
          ...(threads ? { session: { intraOpNumThreads: threads } } : {}),
        }),
      );
      createMs.push(performance.now() - t0);
    }
    const prompt = Array.from({ length: promptLen }, (_, i) => 70 + (i % 60));
    const prompts4 = [0, 1, 2, 3].map((k) => prompt.map((id) => id + k));
    const base = { temperature: 1, eosTokenIds: [] as number[], seed: 0 };
    // Best of ROUNDS, the engines interleaved, after a warm-up round (ORT allocates arenas on
    // the first runs): the machine is shared, so the minimum is the least disturbed figure.
    const best = modes.map(() => ({ prefill: Infinity, one: Infinity, many: Infinity }));
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [k, engine] of engines.entries()) {
        // Prefill: 4 distinct prompts in one batch, one sampled token.
        const prefill = await time(() => engine.generate({ ...base, prompts: prompts4, maxTokens: 1 }));
        // Decode: one prompt, a group of 16 sharing its prefill, decodeTokens new tokens each.
        const one = await time(() =>
          engine.generate({ ...base, prompts: [prompt], groupSize: BATCH, maxTokens: 1 }),
        );
        const many = await time(() =>
          engine.generate({ ...base, prompts: [prompt], groupSize: BATCH, maxTokens: decodeTokens }),
        );
        if (round === 0) continue;
        const b = best[k]!;
        b.prefill = Math.min(b.prefill, prefill);
        b.one = Math.min(b.one, one);
        b.many = Math.min(b.many, many);
      }
    }
    modes.forEach((mode, k) => {
      const b = best[k]!;
      const stepMs = (b.many - b.one) / (decodeTokens - 1);
      rows.push(
        `| ${name} | ${(params / 1e6).toFixed(2)}M | ${mode} | ${createMs[k]!.toFixed(0)} | ` +
          `${((4 * promptLen) / (b.prefill / 1000)).toFixed(0)} | ${(BATCH / (stepMs / 1000)).toFixed(0)} | ` +
          `${stepMs.toFixed(1)} |`,
      );
    });
    for (const e of engines) await e.release();
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
console.log(
  `Node ${process.version}, ${os.availableParallelism()} cores, ORT threads ${threads ?? 'default'}, ` +
    `prompt ${promptLen} tokens, decode batch ${BATCH} x ${decodeTokens} tokens`,
);
console.log(
  '| model | params | weights | session build ms | prefill tok/s | decode tok/s (16 seqs) | ms / decode step |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
