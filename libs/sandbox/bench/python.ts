/**
 * Python in the sandbox pool (CPython/pyodide in isolated-vm, one fresh interpreter per
 * program) against `python3` started as a process per test and as a process per program, in
 * the same run on the same machine. Run:
 *   node --conditions=source --import tsx libs/sandbox/bench/python.ts [seconds per case] [workers]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SandboxPool } from '../src/index.js';

const seconds = Number(process.argv[2] ?? 5);
const workers = Number(process.argv[3] ?? os.availableParallelism());

// HumanEval/0-sized: the solution, then `check(candidate)` with seven asserts (one test).
const humanEval = {
  code: `from typing import List
def has_close_elements(numbers: List[float], threshold: float) -> bool:
    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2 and abs(elem - elem2) < threshold:
                return True
    return False
`,
  tests: [
    `def check(candidate):
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False
check(has_close_elements)`,
  ],
};
// MBPP/3-sized: the solution and three asserts, each its own test.
const mbpp = {
  code: `import math
def is_not_prime(n):
    result = False
    for i in range(2, int(math.sqrt(n)) + 1):
        if n % i == 0:
            result = True
    return result
`,
  tests: [
    'assert is_not_prime(2) == False',
    'assert is_not_prime(10) == True',
    'assert is_not_prime(35) == True',
  ],
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
    p99: percentile(lat, 99),
  };
}

function python3(code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`python3 exited ${c}`))));
  });
}

const t0 = performance.now();
const pool = new SandboxPool({ workers, maxQueue: 4096, bootPython: true });
await pool.ready({ python: true });
const coldMs = performance.now() - t0;
console.log(
  `workers: ${workers}, cores: ${os.availableParallelism()}, load average: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(`cold start: every worker forked and its interpreter booted in ${coldMs.toFixed(0)} ms`);

const rows: string[] = [];
const budget = seconds * 1000;
for (const [name, w] of [
  ['HumanEval/0 (1 test, 7 asserts)', humanEval],
  ['MBPP/3 (3 tests)', mbpp],
] as const) {
  const job = {
    language: 'python' as const,
    code: w.code,
    timeoutMs: 5000,
    tests: w.tests.map((code) => ({ code })),
  };
  const check = await pool.run(job);
  if (check.status !== 'ok') throw new Error(`${name}: ${JSON.stringify(check)}`);
  const sb = await closedLoop(
    async () => {
      const r = await pool.run(job);
      if (r.status !== 'ok') throw new Error(JSON.stringify(r.error));
    },
    workers * 4,
    budget,
  );
  const perTest = await closedLoop(
    async () => {
      for (const t of w.tests) await python3(`${w.code}\n${t}\n`);
    },
    workers,
    budget,
  );
  const perProgram = await closedLoop(() => python3(`${w.code}\n${w.tests.join('\n')}\n`), workers, budget);
  const n = w.tests.length;
  rows.push(
    `| ${name} | sandbox, ${workers * 4} in flight | ${sb.perSec.toFixed(1)} | ${(sb.perSec * n).toFixed(1)} | ${sb.p50.toFixed(1)} | ${sb.p99.toFixed(1)} |`,
    `| ${name} | python3 process per test, ${workers} in flight | ${perTest.perSec.toFixed(1)} | ${(perTest.perSec * n).toFixed(1)} | ${perTest.p50.toFixed(1)} | ${perTest.p99.toFixed(1)} |`,
    `| ${name} | python3 process per program, ${workers} in flight | ${perProgram.perSec.toFixed(1)} | ${(perProgram.perSec * n).toFixed(1)} | ${perProgram.p50.toFixed(1)} | ${perProgram.p99.toFixed(1)} |`,
    `| ${name} | **ratio** | **${(sb.perSec / perTest.perSec).toFixed(1)}x per test, ${(sb.perSec / perProgram.perSec).toFixed(1)}x per program** | | | |`,
  );
}
console.log('| program | runner | programs/s | tests/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|');
console.log(rows.join('\n'));
console.log(
  `load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
await pool.close();
