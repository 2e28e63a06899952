// Soak of the reward service (issue #20): a real service in a child process, mixed traffic at a
// steady rate near its measured capacity for --minutes, sampled every --sample-s seconds.
//
//   npm run soak -- --minutes 10          (defaults: 10 minutes, samples every 5 s, 80% of capacity)
//
// Traffic, per request of --batch items, round-robin: math (accuracy + format + language
// consistency on R1-style completions), code (JS solutions against assert tests, half of
// them hostile: endless loops, memory bombs, deep recursion, escapes from the isolate), format
// only, language consistency only. Prints a line per sample (RSS of the service and of its
// sandbox workers, event-loop lag p99/max, requests, errors, worker restarts), then a summary:
// start vs end RSS, latency p50/p99, errors, restarts. --json FILE writes the figures.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RewardItem } from '@grpo/contracts';
import { r1Batch } from './completions.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'sample-s': { type: 'string', default: '5' },
    load: { type: 'string', default: '0.7' },
    batch: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const sampleMs = Number(values['sample-s']) * 1000;
const load = Number(values.load);
const batch = Number(values.batch);
const root = path.resolve(import.meta.dirname, '../../..');

/** The reward service's server entry, run from source like the e2e tests; resolves its URL. */
async function startReward(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(root, 'services/reward/src/server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        GRPO_REWARD_PORT: '0',
        GRPO_REWARD_LOG_LEVEL: 'warn',
        GRPO_REWARD_WORKERS: values.workers,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { event?: string; url?: string }) => m.event === 'listening' && resolve(m.url!));
    child.once('exit', (code) => reject(new Error(`reward exited with ${code} before listening`)));
  });
  return { child, url };
}

const fence = (code: string) => `<think>\nwrite it\n</think>\n\`\`\`javascript\n${code}\n\`\`\``;
const CODE: { code: string; hostile: boolean }[] = [
  { code: 'function add(a, b) { return a + b; }', hostile: false },
  { code: 'function add(a, b) { return a - b; }', hostile: false },
  { code: 'function add(a, b) { let s = a; for (let i = 0; i < b; i++) s++; return s; }', hostile: false },
  { code: 'function add(a, b) { return [a, b].reduce((x, y) => x + y, 0); }', hostile: false },
  { code: 'function add(a, b) { while (true) {} }', hostile: true },
  { code: 'function add(a, b) { const xs = []; for (;;) xs.push(new Array(1e6).fill(a)); }', hostile: true },
  { code: 'function add(a, b) { return add(a, b) + 1; }', hostile: true },
  {
    code: 'function add(a, b) { return globalThis.process?.exit?.(1) ?? require("fs").readFileSync("/etc/passwd"); }',
    hostile: true,
  },
];
const TEST = 'assert.strictEqual(add(2, 3), 5); assert.strictEqual(add(-1, 1), 0);';

/** The four traffic kinds as [items, rewards spec]. */
function requestOf(k: number, seq: number): { items: RewardItem[]; rewards: object[]; kind: string } {
  const kind = ['math', 'code', 'format', 'language'][k % 4] as string;
  if (kind === 'code') {
    const items = Array.from({ length: batch }, (_, i) => {
      const c = CODE[(seq * batch + i) % CODE.length]!;
      return { id: `c${i}`, prompt: 'add', completion: fence(c.code), reference: { testCode: TEST } };
    });
    return { items: items as unknown as RewardItem[], rewards: [{ name: 'code' }], kind };
  }
  const items = r1Batch(batch, seq + 1);
  if (kind === 'math')
    return {
      items,
      rewards: [
        { name: 'accuracy' },
        { name: 'format', weight: 0.5 },
        { name: 'language_consistency', weight: 0.2 },
      ],
      kind,
    };
  if (kind === 'format') return { items, rewards: [{ name: 'format' }], kind };
  return { items, rewards: [{ name: 'language_consistency' }], kind };
}

interface Done {
  ms: number;
  ok: boolean;
  kind: string;
}

async function send(url: string, k: number, seq: number): Promise<Done> {
  const { items, rewards, kind } = requestOf(k, seq);
  const t = performance.now();
  try {
    const res = await fetch(`${url}/v1/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items, rewards }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json()) as { results?: unknown[] };
    return { ms: performance.now() - t, ok: res.ok && body.results?.length === items.length, kind };
  } catch {
    return { ms: performance.now() - t, ok: false, kind };
  }
}

/** RSS (bytes) of a process and of all its descendants (the sandbox workers), from /proc. */
function rssTree(pid: number): { self: number; children: number } {
  const rss = (p: number) => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const kids = (p: number): number[] => {
    try {
      return fs
        .readdirSync(`/proc/${p}/task`)
        .flatMap((t) => fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/))
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  };
  let children = 0;
  const stack = kids(pid);
  while (stack.length) {
    const c = stack.pop()!;
    children += rss(c);
    stack.push(...kids(c));
  }
  return { self: rss(pid), children };
}

async function scrape(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(grpo_reward_[a-z0-9_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const mb = (b: number) => (b / 2 ** 20).toFixed(0);

async function main() {
  const { child, url } = await startReward();
  const done: Done[] = [];
  try {
    // Capacity: closed loop, 4 in flight, 20 s, all four kinds.
    const calStart = performance.now();
    let seq = 0;
    const cal: Done[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() - calStart < 20_000) cal.push(await send(url, seq, seq++));
      }),
    );
    const capacity = cal.length / ((performance.now() - calStart) / 1000);
    const rate = capacity * load;
    console.log(
      `capacity ${capacity.toFixed(1)} req/s (${batch} items each, 4 in flight); soaking at ${rate.toFixed(1)} req/s for ${values.minutes} min`,
    );
    const samples: object[] = [];
    const t0 = performance.now();
    let inFlight = 0;
    let skipped = 0;
    const pending = new Set<Promise<void>>();
    let nextSample = t0;
    for (let i = 0; performance.now() - t0 < durationMs; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (performance.now() >= nextSample) {
        nextSample += sampleMs;
        const m = await scrape(url);
        const rss = rssTree(child.pid!);
        const recent = done.slice(-200);
        const s = {
          t: Math.round((performance.now() - t0) / 1000),
          rssMb: Number(mb(rss.self)),
          workersRssMb: Number(mb(rss.children)),
          heapMb: Number(mb(m.grpo_reward_nodejs_heap_size_used_bytes ?? 0)),
          lagP99Ms: Number(((m.grpo_reward_nodejs_eventloop_lag_p99_seconds ?? 0) * 1000).toFixed(1)),
          lagMaxMs: Number(((m.grpo_reward_nodejs_eventloop_lag_max_seconds ?? 0) * 1000).toFixed(1)),
          requests: done.length,
          errors: done.filter((d) => !d.ok).length,
          p99Ms: Math.round(
            pct(
              recent.map((d) => d.ms),
              99,
            ),
          ),
          sandboxRestarts: m.grpo_reward_sandbox_restarts ?? 0,
          inFlight,
        };
        samples.push(s);
        console.log(JSON.stringify(s));
      }
      // Open loop: a slow service does not slow the offered load, but more than 32 requests in
      // flight means it is past capacity; those sends are counted as skipped, not queued up.
      if (inFlight >= 32) {
        skipped++;
        continue;
      }
      inFlight++;
      const p = send(url, i, i).then((d) => {
        done.push(d);
        inFlight--;
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await Promise.all(pending);
    const first = samples[0] as { rssMb: number; workersRssMb: number };
    const last = samples[samples.length - 1] as {
      rssMb: number;
      workersRssMb: number;
      sandboxRestarts: number;
    };
    const ms = done.map((d) => d.ms);
    const byKind = Object.fromEntries(
      ['math', 'code', 'format', 'language'].map((k) => {
        const xs = done.filter((d) => d.kind === k).map((d) => d.ms);
        return [k, { n: xs.length, p50Ms: Math.round(pct(xs, 50)), p99Ms: Math.round(pct(xs, 99)) }];
      }),
    );
    const summary = {
      minutes: Number(values.minutes),
      capacityReqPerS: Number(capacity.toFixed(1)),
      rateReqPerS: Number(rate.toFixed(1)),
      itemsPerRequest: batch,
      requests: done.length,
      errors: done.filter((d) => !d.ok).length,
      skippedOverCapacity: skipped,
      p50Ms: Math.round(pct(ms, 50)),
      p99Ms: Math.round(pct(ms, 99)),
      byKind,
      rssStartMb: first.rssMb,
      rssEndMb: last.rssMb,
      workersRssStartMb: first.workersRssMb,
      workersRssEndMb: last.workersRssMb,
      maxLagP99Ms: Math.max(...samples.map((s) => (s as { lagP99Ms: number }).lagP99Ms)),
      sandboxRestarts: last.sandboxRestarts,
    };
    console.log(JSON.stringify(summary, null, 2));
    if (values.json) fs.writeFileSync(values.json, `${JSON.stringify({ summary, samples }, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
