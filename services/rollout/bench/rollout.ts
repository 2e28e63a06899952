// Rollout throughput over HTTP with the tiny built-in policy: tokens/s and groups/s for
// G = 8 and 16 at batch sizes 1, 4 and 8 prompts per request, plus concurrent single-prompt
// clients (merged by the batcher). Run: npm run bench -- rollout (or
// node --conditions=source --import tsx services/rollout/bench/rollout.ts).
// BENCH_MAX_TOKENS (default 32) and BENCH_REPS (default 5) change the work per row.
import { availableParallelism, cpus } from 'node:os';
import { startRolloutServer } from '../src/index.js';

const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 32);
const reps = Number(process.env.BENCH_REPS ?? 5);

const server = await startRolloutServer({ port: 0, logLevel: 'silent' }, { signals: [], env: {} });

interface Reply {
  groups: { completions: { tokenIds: number[] }[] }[];
}

async function rollout(prompts: number, G: number, seed: number): Promise<number> {
  const res = await fetch(`${server.url}/v1/rollouts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      prompts: Array.from({ length: prompts }, (_, i) => ({
        text: `Question ${seed}-${i}: what is ${i} + ${seed}?`,
      })),
      groupSize: G,
      maxTokens,
      temperature: 1,
      seed,
    }),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as Reply;
  return body.groups.reduce((n, g) => n + g.completions.reduce((m, c) => m + c.tokenIds.length, 0), 0);
}

interface Row {
  G: number;
  mode: string;
  groups: number;
  tokens: number;
  seconds: number;
}

async function measure(G: number, prompts: number, clients: number): Promise<Row> {
  await rollout(prompts, G, 0); // warm-up
  const t0 = performance.now();
  let tokens = 0;
  for (let r = 0; r < reps; r++) {
    const done = await Promise.all(
      Array.from({ length: clients }, (_, c) => rollout(prompts, G, 1 + r * clients + c)),
    );
    tokens += done.reduce((a, b) => a + b, 0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const mode = clients === 1 ? `${prompts} prompt(s)/request` : `${clients} clients x 1 prompt`;
  return { G, mode, groups: reps * clients * prompts, tokens, seconds };
}

const rows: Row[] = [];
try {
  // ORT plans memory per input shape; run every shape once before timing anything.
  for (const G of [8, 16]) for (const prompts of [1, 4, 8]) await rollout(prompts, G, 0);
  for (const G of [8, 16]) {
    for (const prompts of [1, 4, 8]) rows.push(await measure(G, prompts, 1));
    rows.push(await measure(G, 1, 4));
  }
} finally {
  await server.close();
}

console.log(
  `rollout bench: tiny policy (2 layers, hidden 64), maxTokens ${maxTokens}, ${reps} reps, ` +
    `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'cpu'})`,
);
console.log('| G | batch | groups | tokens | s | tokens/s | groups/s |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.G} | ${r.mode} | ${r.groups} | ${r.tokens} | ${r.seconds.toFixed(2)} | ${Math.round(r.tokens / r.seconds)} | ${(r.groups / r.seconds).toFixed(1)} |`,
  );
}
