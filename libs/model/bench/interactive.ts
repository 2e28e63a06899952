// Interactive generation cost: the tiny policy, 8 prompts x G 8, 64 new tokens, best of ROUNDS.
//  - plain: generateGroups;
//  - interactive, no pauses: generateInteractive with a hook that never pauses (the per-token
//    turn decode a tool hook needs is the overhead);
//  - interactive, 2 inserts: every sequence pauses after 12 sampled ids of a turn and gets 16
//    ids inserted after TOOL_MS (a tool call), twice: parked caches, multi-token prefill steps.
//   node --conditions=source --import tsx libs/model/bench/interactive.ts   (env ROUNDS, TOOL_MS)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTinyPolicy, PolicyEngine, type SequenceHook } from '../src/index.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TOOL_MS = Number(process.env.TOOL_MS ?? 20);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-bench-interactive-'));
const policy = await createTinyPolicy({ dir: path.join(dir, 'tiny'), seed: 1 });
const engine = await PolicyEngine.create(policy, { session: { intraOpNumThreads: 1 } });
const prompts = Array.from({ length: 8 }, (_, i) =>
  policy.tokenizer.encode(`Question ${i}: what is ${i} * 7?`),
);
const groups = prompts.map((promptIds, i) => ({
  promptIds,
  groupSize: 8,
  maxTokens: 64,
  seed: i,
  eosTokenIds: [],
}));
const never: SequenceHook = { pause: () => false, resume: async () => ({ end: 'x' }) };
const inserting = (): SequenceHook => {
  let left = 2;
  return {
    pause: (turn) => left > 0 && turn.ids.length === 12,
    resume: async () => {
      left--;
      await new Promise((r) => setTimeout(r, TOOL_MS));
      return { insert: Array.from({ length: 16 }, (_, k) => 40 + k) };
    },
  };
};

async function best(fn: () => Promise<{ generatedTokens: number }>): Promise<{ ms: number; tokens: number }> {
  await fn();
  let ms = Infinity;
  let tokens = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    tokens = (await fn()).generatedTokens;
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, tokens };
}

const plain = await best(() => engine.generateGroups(groups));
const quiet = await best(() => engine.generateInteractive(groups.map((g) => ({ ...g, hook: () => never }))));
const tools = await best(() => engine.generateInteractive(groups.map((g) => ({ ...g, hook: inserting }))));
console.log(
  `interactive bench: 64 sequences, 64 tokens, 1 ORT thread; ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
);
for (const [name, r] of [
  ['plain generateGroups', plain],
  ['interactive, no pauses', quiet],
  [`interactive, 2 inserts of 16 ids (${TOOL_MS} ms each)`, tools],
] as const)
  console.log(
    `${name.padEnd(44)} ${r.ms.toFixed(0).padStart(6)} ms  ${((r.tokens * 1000) / r.ms).toFixed(0)} sampled tokens/s`,
  );
console.log(`no-pause overhead: ${(quiet.ms / plain.ms).toFixed(2)}x plain`);
await engine.release();
await fs.rm(dir, { recursive: true, force: true });
