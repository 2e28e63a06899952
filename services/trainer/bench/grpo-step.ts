/**
 * Times the in-process GRPO step on a tiny policy: sampling (PolicyEngine), then GrpoStep
 * (scoring forward, reference forward, advantages, update), per preset; the PPO presets
 * (ppo, ppo_orz) run PpoStep, whose split adds the critic's value forward (valueMs), and whose
 * update is the critic's step plus the policy's.
 *
 *   node --conditions=source --import tsx services/trainer/bench/grpo-step.ts
 *   env: HIDDEN=64 LAYERS=2 PROMPTS=8 G=8 MAX_TOKENS=128 STEPS=3 THREADS=2 PRESETS=grpo,dapo,ppo_orz
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type PresetName, parseAlgorithmConfig } from '@grpo/grpo';
import { createTinyPolicy, PolicyEngine } from '@grpo/model';
import { type GroupBatch, GrpoStep, PpoStep } from '../src/algorithm/index.js';

const env = (k: string, d: number) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const HIDDEN = env('HIDDEN', 64);
const LAYERS = env('LAYERS', 2);
const PROMPTS = env('PROMPTS', 8);
const G = env('G', 8);
const MAX_TOKENS = env('MAX_TOKENS', 128);
const STEPS = env('STEPS', 3);
const THREADS = env('THREADS', 2);
const PRESETS = (process.env.PRESETS ?? 'grpo,dapo').split(',') as PresetName[];

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-bench-'));
const session = { intraOpNumThreads: THREADS, interOpNumThreads: 1 };
const policy = await createTinyPolicy({ dir, seed: 1, hiddenSize: HIDDEN, layers: LAYERS });
const engine = await PolicyEngine.create(policy, { session });
const prompts = Array.from({ length: PROMPTS }, (_, i) =>
  policy.tokenizer.encode(`What is ${10 + i} + ${20 + i}?\n`),
);
// Completions of exactly MAX_TOKENS tokens (no EOS), so every step has the same shape.
const out = await engine.generate({
  prompts,
  groupSize: G,
  maxTokens: MAX_TOKENS,
  eosTokenIds: [],
  seed: 1,
});
const batch: GroupBatch[] = out.completions.map((g, i) => ({
  promptIds: prompts[i]!,
  completions: g.map((c, j) => ({ tokenIds: c.tokenIds, logprobs: c.logprobs, rewardTotal: j % 3 })),
}));
console.log(
  JSON.stringify({
    machine: `${os.cpus().length} cores, Node ${process.version}`,
    model: { hidden: HIDDEN, layers: LAYERS, vocab: policy.config.vocabSize },
    sequences: PROMPTS * G,
    completionTokens: MAX_TOKENS,
  }),
);
for (const preset of PRESETS) {
  const o = {
    config: policy.config,
    tensors: policy.tensors,
    algorithm: { preset, dynamicSampling: { enabled: false } },
    session,
  };
  const ppo = parseAlgorithmConfig({ preset }).critic !== undefined;
  const step = ppo ? await PpoStep.create(o) : await GrpoStep.create(o);
  for (let s = 0; s < STEPS; s++) {
    const { metrics: m } = await step.step(batch, { lr: 1e-4 });
    const valueMs = 'time_value_ms' in m ? Math.round(m.time_value_ms as number) : undefined;
    if (s === 0) continue; // the first step includes session warm-up
    console.log(
      JSON.stringify({
        preset,
        totalMs: Math.round(m.time_total_ms),
        scoreMs: Math.round(m.time_score_ms),
        referenceMs: Math.round(m.time_reference_ms),
        ...(valueMs !== undefined ? { valueMs } : {}),
        advantageMs: Math.round(m.time_advantage_ms),
        updateMs: Math.round(m.time_update_ms),
        tokensPerS: Math.round(m.tokens_per_s),
      }),
    );
  }
  await step.release();
}
const t0 = performance.now();
await engine.generate({ prompts, groupSize: G, maxTokens: MAX_TOKENS, eosTokenIds: [], seed: 2 });
console.log(
  JSON.stringify({ sampleMs: Math.round(performance.now() - t0), tokens: PROMPTS * G * MAX_TOKENS }),
);
await engine.release();
await fs.rm(dir, { recursive: true, force: true });
