// Cost of access control and metrics per request: 2 000 scoring requests (16 items each,
// `format`, inline registry) through app.inject with no keys, with 100 keys + a rate limit,
// and the per-component metric observation alone. Run:
//   node --conditions=source --import tsx services/reward/bench/access-bench.ts
import { createDefaultRegistry } from '@grpo/rewards';
import { Registry } from '@grpo/service-kit';
import { buildRewardServer, createRewardMetrics, loadRewardConfig } from '../src/index.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const keys = Array.from(
  { length: 100 },
  (_, i) => `k${i}:bench-key-${String(i).padStart(4, '0')}-0123456789`,
);
const payload = {
  items: Array.from({ length: 16 }, (_, i) => ({
    id: `i${i}`,
    prompt: 'p',
    completion: '<think>a</think><answer>1</answer>',
  })),
  rewards: [{ name: 'format' }],
};

async function run(label: string, overrides: Record<string, unknown>, headers: Record<string, string>) {
  const config = loadRewardConfig({ logLevel: 'silent', ...overrides }, {});
  const app = await buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registry: createDefaultRegistry(),
  });
  for (let i = 0; i < 200; i++) await app.inject({ method: 'POST', url: '/v1/rewards', payload, headers });
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/rewards', payload, headers });
    if (res.statusCode !== 200) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
  }
  const us = ((performance.now() - t0) / REQUESTS) * 1000;
  console.log(`${label.padEnd(44)} ${us.toFixed(0)} µs/request`);
  await app.close();
}

console.log(`access bench: ${REQUESTS} requests x 16 items, node ${process.version}`);
await run('open (no keys, no rate limit)', {}, {});
await run(
  '100 keys, last key, rate limit 1e9 items/s',
  { apiKeys: keys.join(','), rateLimitItemsPerS: 1e9 },
  {
    authorization: `Bearer ${keys[99]!.split(':')[1]}`,
  },
);

const observer = createRewardMetrics(new Registry());
const N = 1_000_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) observer.component(i % 2 ? 'format' : 'accuracy', i % 3 ? 'ok' : 'wrong', 1e-4);
console.log(
  `metrics: ${(((performance.now() - t0) / N) * 1e6).toFixed(0)} ns per component (counter + histogram)`,
);
