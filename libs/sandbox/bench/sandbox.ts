/**
 * Throughput and latency of the sandbox pool against starting a fresh `node -e` process per
 * test (what one would do without a sandbox service). Run:
 *   node --conditions=source --import tsx libs/sandbox/bench/sandbox.ts [seconds per case]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SandboxPool } from '../src/index.js';

const seconds = Number(process.argv[2] ?? 2);
const programs = {
  trivial: 'console.log(1 + 1);',
  // A HumanEval-sized test program: solution + MultiPL-E style asserts.
  medium: `function rolling_max(numbers) { const out = []; let m = -Infinity; for (const n of numbers) { m = Math.max(m, n); out.push(m); } return out; }
const assert = require('node:assert');
function test() { let candidate = rolling_max;
  assert.deepEqual(candidate([]), []); assert.deepEqual(candidate([1, 2, 3, 4]), [1, 2, 3, 4]);
  assert.deepEqual(candidate([4, 3, 2, 1]), [4, 4, 4, 4]); assert.deepEqual(candidate([3, 2, 3, 100, 3]), [3, 3, 3, 100, 100]);
  const big = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1000); assert.equal(candidate(big).length, 2000); }
test();`,
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function closedLoop(run: () => Promise<void>, concurrency: number, budgetMs: number) {
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - t0 < budgetMs) {
        const s = performance.now();
        await run();
        lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  return {
    n: lat.length,
    perSec: (lat.length / elapsed) * 1000,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
  };
}

function nodeProcess(code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`node exited ${c}`))));
  });
}

const workers = os.availableParallelism();
const pool = new SandboxPool({ workers, maxQueue: 4096 });
await pool.ready();
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);
console.log(
  `machine: ${workers} cores, Node ${process.version}; ${seconds}s per case; sandbox workers ${workers}`,
);
console.log('case                         execs   exec/s   p50 ms   p95 ms');
const rows: Record<string, { perSec: number }> = {};
for (const [name, code] of Object.entries(programs)) {
  // Warm-up: first jobs pay for isolate creation and JIT.
  for (let i = 0; i < 50; i++) await pool.run({ code });
  for (const conc of [1, 4 * workers]) {
    const r = await closedLoop(
      async () => {
        const res = await pool.run({ code });
        if (res.status !== 'ok') throw new Error(`${name}: ${res.status} ${res.error?.message}`);
      },
      conc,
      seconds * 1000,
    );
    const label = `sandbox ${name} (${conc} in flight)`;
    rows[label] = r;
    console.log(
      `${label.padEnd(28)} ${String(r.n).padStart(5)} ${fmt(r.perSec).padStart(8)} ${fmt(r.p50).padStart(8)} ${fmt(r.p95).padStart(8)}`,
    );
  }
  for (const conc of [1, workers]) {
    const r = await closedLoop(() => nodeProcess(code), conc, seconds * 1000);
    const label = `node -e ${name} (${conc} in flight)`;
    rows[label] = r;
    console.log(
      `${label.padEnd(28)} ${String(r.n).padStart(5)} ${fmt(r.perSec).padStart(8)} ${fmt(r.p50).padStart(8)} ${fmt(r.p95).padStart(8)}`,
    );
  }
  const speedup =
    (rows[`sandbox ${name} (${4 * workers} in flight)`]?.perSec ?? 0) /
    (rows[`node -e ${name} (${workers} in flight)`]?.perSec ?? 1);
  console.log(
    `speed-up over a node process per test (${name}, both using all cores): ${speedup.toFixed(0)}x`,
  );
}
await pool.close();
