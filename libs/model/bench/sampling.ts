// GRPO-style sampling throughput of the engine: rounds of P prompts x G samples with a maxTokens
// cap and temperature, as the rollout service runs them for a training step. Point it at a
// trained checkpoint (sequences then end at EOS at their own lengths, so finished rows leave the
// batch) or leave it on a fresh tiny policy (no EOS learnt: every row runs to maxTokens).
//   node --conditions=source --import tsx libs/model/bench/sampling.ts [model folder]
//   env: THREADS (1), P (8), G (8), MAX_TOKENS (240), T (0.5), ROUNDS (6; the first is a warm-up),
//        HIDDEN (128, fresh tiny policy only)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTinyPolicy, loadPolicy, PolicyEngine } from '../src/index.js';

const env = (k: string, d: number) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const [THREADS, P, G, MAX_TOKENS, T, ROUNDS] = [
  env('THREADS', 1),
  env('P', 8),
  env('G', 8),
  env('MAX_TOKENS', 240),
  env('T', 0.5),
  env('ROUNDS', 6),
];
const dir = process.argv[2];
const tmp = dir ? null : await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-sampling-bench-'));
try {
  const policy = dir
    ? await loadPolicy(dir)
    : await createTinyPolicy({ dir: tmp as string, seed: 1, hiddenSize: env('HIDDEN', 128), layers: 2 });
  const engine = await PolicyEngine.create(policy, { session: { intraOpNumThreads: THREADS } });
  // Arithmetic questions in the chat format of the quick-start, different in every round.
  const prompt = (i: number) => {
    const text = policy.tokenizer.applyChatTemplate(
      [{ role: 'user', content: `What is ${100 + ((i * 37) % 900)} + ${100 + ((i * 91) % 900)}?` }],
      { addGenerationPrompt: true },
    );
    return policy.tokenizer.encode(text, { addSpecialTokens: false });
  };
  let ms = 0;
  let tokens = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const prompts = Array.from({ length: P }, (_, i) => prompt(r * P + i));
    const t0 = performance.now();
    const out = await engine.generate({
      prompts,
      groupSize: G,
      maxTokens: MAX_TOKENS,
      temperature: T,
      seed: r,
    });
    if (r === 0) continue;
    ms += performance.now() - t0;
    tokens += out.generatedTokens;
  }
  const rounds = ROUNDS - 1;
  console.log(
    JSON.stringify({
      machine: `${os.availableParallelism()} cores, Node ${process.version}, ORT threads ${THREADS}`,
      model: dir ?? `fresh tiny policy, hidden ${env('HIDDEN', 128)}`,
      sequences: P * G,
      msPerRound: Math.round(ms / rounds),
      tokensPerSequence: Math.round(tokens / rounds / (P * G)),
      tokensPerS: Math.round((tokens / ms) * 1000),
    }),
  );
  await engine.release();
} finally {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
}
