/**
 * Benchmark of the accuracy reward: pairs per second and mean / p50 / p99 latency per
 * gold/prediction pair, in-process over the whole case table (plus the GSM8K fixture), and
 * optionally over HTTP against a running reward service.
 *
 *   node --conditions=source --import tsx libs/rewards/bench/accuracy.ts
 *   node --conditions=source --import tsx libs/rewards/bench/accuracy.ts --url http://127.0.0.1:8001 --batch 64
 *
 * Runs a warm-up pass, then timed passes for about `--seconds` (default 3).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyMath } from '../src/index.js';
import { cases } from '../test/fixtures/accuracy/cases.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    batch: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);

const gsm8k: { reference: string; final: string }[] = JSON.parse(
  fs.readFileSync(new URL('../test/fixtures/accuracy/gsm8k.json', import.meta.url), 'utf8'),
);
const pairs: [string, string][] = [
  ...Object.values(cases).flatMap((list) => list.map(([g, p]) => [g, p] as [string, string])),
  ...gsm8k.map((r): [string, string] => [
    r.reference,
    `Step by step ... so the answer is \\boxed{${r.final}}.`,
  ]),
];

function summary(label: string, latenciesMs: number[], wallMs: number, n: number): void {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  console.log(
    `${label}: ${n} pairs in ${(wallMs / 1000).toFixed(2)} s -> ${Math.round((n * 1000) / wallMs)} pairs/s; ` +
      `per ${label.startsWith('http') ? 'request' : 'pair'} mean ${mean.toFixed(3)} ms, p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, max ${sorted[sorted.length - 1]!.toFixed(3)} ms`,
  );
}

function inProcess(): void {
  for (const [g, p] of pairs) verifyMath(g, p); // warm-up
  const lat: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const [g, p] of pairs) {
      const t = performance.now();
      verifyMath(g, p);
      lat.push(performance.now() - t);
    }
  }
  summary(`in-process (${pairs.length} distinct pairs)`, lat, performance.now() - t0, lat.length);
}

async function overHttp(url: string, batch: number): Promise<void> {
  const items = pairs.map(([g, p], i) => ({ id: String(i), prompt: '', completion: p, reference: g }));
  const body = (from: number) =>
    JSON.stringify({
      items: Array.from({ length: batch }, (_, k) => items[(from + k) % items.length]),
      rewards: [{ name: 'accuracy' }],
    });
  const post = async (from: number) => {
    const res = await fetch(`${url}/v1/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(from),
    });
    if (!res.ok) throw new Error(`POST /v1/rewards: HTTP ${res.status} ${await res.text()}`);
    await res.json();
  };
  await post(0); // warm-up
  const lat: number[] = [];
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const t = performance.now();
    await post(sent);
    lat.push(performance.now() - t);
    sent += batch;
  }
  summary(`http (batch ${batch})`, lat, performance.now() - t0, sent);
}

inProcess();
if (values.url) await overHttp(values.url, Number(values.batch));
