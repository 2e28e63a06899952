// Tool-call latency: the REST executor (POST /v1/sandbox/run on a reward service in its own
// process, as deployed) against the in-process executor (a sandbox pool inside the rollout
// process). Both run 2 sandbox workers. Prints per-call mean / p50 / p95 and calls/s for
// sequential calls and for 8 concurrent callers. Run: npm run bench -- tools
// (BENCH_CALLS, default 200 per mode).
import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InProcessExecutor, RestExecutor, type ToolExecutor } from '../src/tools/index.js';

const calls = Number(process.env.BENCH_CALLS ?? 200);
const root = fileURLToPath(new URL('../../..', import.meta.url));

async function startReward(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(root, 'services/reward/src/server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        GRPO_REWARD_PORT: '0',
        GRPO_REWARD_WORKERS: '1',
        GRPO_SANDBOX_WORKERS: '2',
        GRPO_REWARD_SANDBOX_CONCURRENCY: '8',
        GRPO_REWARD_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*reward service listening/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`reward service exited with ${code}`)));
  });
  child.stdout?.resume();
  return { child, url };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function measure(name: string, ex: ToolExecutor, concurrency: number): Promise<number> {
  // Warm-up: the workers and the HTTP connection.
  for (let i = 0; i < 10; i++) await ex.run({ language: 'javascript', code: 'console.log(1)' });
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        const t = performance.now();
        const r = await ex.run({ language: 'javascript', code: `console.log(${i}*${i})`, timeoutMs: 2000 });
        if (r.status !== 'ok' || r.stdout !== `${i * i}\n`)
          throw new Error(`call ${i}: ${JSON.stringify(r)}`);
        lat.push(performance.now() - t);
      }
    }),
  );
  const wall = performance.now() - t0;
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  console.log(
    `${name.padEnd(10)} x${String(concurrency).padEnd(2)} mean ${mean.toFixed(2)} ms  p50 ${pct(lat, 0.5).toFixed(2)}  p95 ${pct(lat, 0.95).toFixed(2)}  ${((calls * 1000) / wall).toFixed(0)} calls/s`,
  );
  return mean;
}

console.log(
  `tool executor bench: ${calls} calls per row, 2 sandbox workers each; ${availableParallelism()} cores (${cpus()[0]?.model}), load ${loadavg()[0]!.toFixed(1)}`,
);
const reward = await startReward();
const rest = new RestExecutor(reward.url, { graceMs: 2000 });
const local = new InProcessExecutor(2);
try {
  const r1 = await measure('rest', rest, 1);
  const l1 = await measure('inprocess', local, 1);
  const r8 = await measure('rest', rest, 8);
  const l8 = await measure('inprocess', local, 8);
  console.log(
    `HTTP hop: +${(r1 - l1).toFixed(2)} ms per sequential call (rest / inprocess = ${(r1 / l1).toFixed(2)}), ${(r8 / l8).toFixed(2)}x at 8 concurrent`,
  );
} finally {
  await local.close();
  reward.child.kill('SIGTERM');
}
