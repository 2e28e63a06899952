// Reward service throughput over HTTP: starts the service on 127.0.0.1:0 and posts large
// batches of R1-style completions. Prints items/s and latency. Run: npm run bench
import { createRewardClient } from '@grpo/clients';
import type { RewardSpecEntry } from '@grpo/contracts';
import { startRewardServer } from '../src/index.js';
import { r1Batch } from './completions.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const workers = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : 0;

const server = await startRewardServer(
  { host: '127.0.0.1', port: 0, logLevel: 'warn', workers, maxItems: Math.max(ITEMS, 20_000) },
  { signals: [] },
);
const client = createRewardClient({ baseUrl: server.url, timeoutMs: 600_000, retries: 0 });
const available = new Set((await client.functions()).functions.map((f) => f.name));

const specs: [string, RewardSpecEntry[]][] = [
  ['format + language_consistency', [{ name: 'format' }, { name: 'language_consistency' }]],
  [
    'format + tags + language + length + repetition + accuracy',
    ['format', 'tags', 'language_consistency', 'length', 'repetition', 'accuracy'].map((name) => ({ name })),
  ],
];

const batch = r1Batch(ITEMS);
const bytes = Buffer.byteLength(JSON.stringify({ items: batch }));
console.log(
  `reward bench: ${ITEMS} items (${(bytes / 1e6).toFixed(1)} MB), ${server.workers} workers, node ${process.version}`,
);
try {
  for (const [label, spec] of specs) {
    const missing = spec.filter((s) => !available.has(s.name)).map((s) => s.name);
    if (missing.length) {
      console.log(`  ${label}: skipped (not registered: ${missing.join(', ')})`);
      continue;
    }
    await client.score({ items: batch.slice(0, 500), rewards: spec }); // warm-up: workers load and JIT
    const times: number[] = [];
    let serverMs = 0;
    let errors = 0;
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      const out = await client.score({ items: batch, rewards: spec });
      times.push(performance.now() - t0);
      serverMs += out.stats.ms;
      errors += out.stats.errors;
    }
    const best = Math.min(...times);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `  ${label}: ${Math.round(ITEMS / (best / 1000))} items/s best, ${Math.round(ITEMS / (mean / 1000))} items/s mean; ` +
        `request ${best.toFixed(0)}-${Math.max(...times).toFixed(0)} ms, scoring ${(serverMs / REPS).toFixed(0)} ms mean, ` +
        `${errors / REPS} error components`,
    );
  }
  // Small batches one after another: per-request latency as a trainer step would see it.
  const small = r1Batch(64, 7);
  const lat: number[] = [];
  for (let r = 0; r < 30; r++) {
    const t0 = performance.now();
    await client.score({ items: small, rewards: specs[0]![1] });
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  console.log(
    `  64-item requests, sequential: p50 ${lat[15]!.toFixed(1)} ms, p90 ${lat[27]!.toFixed(1)} ms (${specs[0]![0]})`,
  );
} finally {
  await server.close();
}
