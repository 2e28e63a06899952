/**
 * Throughput of `reward_model` on the tiny generated classifier: items/s with length-sorted
 * micro-batching against one session.run per item (batchSize 1), with every item in flight
 * at once and with 16 in flight (the reward service's default asyncConcurrency).
 *   node --conditions=source --import tsx libs/rewards/bench/reward-model.ts
 *   env: ITEMS=1024 REPS=3 THREADS=2
 */
import { Value } from '@sinclair/typebox/value';
import { FIXTURE_DIR } from '../scripts/make-reward-model.js';
import {
  encodeForRewardModel,
  type RewardItem,
  RewardModelParams,
  RewardModelSet,
  scoreRewardModel,
  toRewardModelTable,
} from '../src/index.js';

const ITEMS = Number(process.env.ITEMS ?? 1024);
const REPS = Number(process.env.REPS ?? 3);
const THREADS = Number(process.env.THREADS ?? 2);

const words = 'the model reasons step by step about the sum and then checks the answer twice'.split(' ');
const items: RewardItem[] = Array.from({ length: ITEMS }, (_, i) => {
  // Completion lengths spread over 10..~900 characters, as a group of rollouts would be.
  const n = 2 + ((i * 37) % 150);
  const body = Array.from({ length: n }, (_, k) => words[(i + k) % words.length]).join(' ');
  return {
    id: String(i),
    prompt: `Question ${i}: what is ${i} + ${i % 7}?`,
    completion: `<think>${body}</think>`,
  };
});

const models = new RewardModelSet(
  toRewardModelTable({ tiny: { path: FIXTURE_DIR, intraOpNumThreads: THREADS, batchWaitMs: 2 } }),
);
await models.warm();
const params = (batchSize: number) =>
  Value.Default(RewardModelParams, { model: 'tiny', batchSize }) as RewardModelParams;

/** Scores every item with at most `inFlight` calls pending, like the service's async loop. */
async function run(batchSize: number, inFlight: number): Promise<number> {
  const p = params(batchSize);
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < items.length) {
      const r = await scoreRewardModel(items[next++] as RewardItem, p, {}, models);
      if (r.status !== 'ok') throw new Error(JSON.stringify(r));
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
  return items.length / ((performance.now() - t0) / 1000);
}

const { batcher } = await models.get('tiny');
const tokenize: number[] = [];
const timeMs = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};
const timeMsAsync = async (f: () => Promise<void>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const rows: string[] = [];
for (const [label, batchSize, inFlight] of [
  ['batchSize 1 (no batching), 16 in flight', 1, 16],
  ['batchSize 16, 16 in flight', 16, 16],
  [`batchSize 1 (no batching), all ${ITEMS} in flight`, 1, ITEMS],
  [`batchSize 64, all ${ITEMS} in flight`, 64, ITEMS],
] as const) {
  const before = { ...batcher.stats };
  const rates: number[] = [];
  for (let r = 0; r < REPS; r++) rates.push(await run(batchSize, inFlight));
  const batches = batcher.stats.batches - before.batches;
  const pad = (batcher.stats.paddedTokens - before.paddedTokens) / (batcher.stats.tokens - before.tokens);
  rows.push(
    `| ${label} | ${Math.round(Math.max(...rates))} | ${Math.round(rates.reduce((a, b) => a + b, 0) / rates.length)} | ${((ITEMS * REPS) / batches).toFixed(1)} | ${pad.toFixed(2)} |`,
  );
}
// What batching buys the model itself: the same pre-tokenized rows, one run each vs sorted batches of 64.
const { model } = await models.get('tiny');
const p1 = params(1);
const encoded = items.map((it) => encodeForRewardModel(model, it, p1).ids);
for (const ids of encoded) tokenize.push(ids.length);
const tokenizeMs = timeMs(() => {
  for (const it of items) encodeForRewardModel(model, it, p1);
});
const runAlone = await timeMsAsync(async () => {
  for (const ids of encoded) await model.run([ids]);
});
const sorted = [...encoded].sort((a, b) => a.length - b.length);
const runBatched = await timeMsAsync(async () => {
  for (let i = 0; i < sorted.length; i += 64) await model.run(sorted.slice(i, i + 64));
});
await models.close();
console.log(`${items.length} items, ${REPS} reps, intraOpNumThreads ${THREADS}, Node ${process.version}`);
console.log('| mode | items/s best | items/s mean | rows per run | padded/real tokens |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
const mean = tokenize.reduce((a, b) => a + b, 0) / tokenize.length;
console.log(`\nparts (mean ${mean.toFixed(0)} tokens per item):`);
console.log(
  `| tokenize (chat template + tokenizer.json) | ${(tokenizeMs / items.length).toFixed(3)} ms/item |`,
);
console.log(`| session.run, one item per run | ${(runAlone / items.length).toFixed(3)} ms/item |`);
console.log(
  `| session.run, length-sorted batches of 64 | ${(runBatched / items.length).toFixed(3)} ms/item |`,
);
