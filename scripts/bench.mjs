#!/usr/bin/env node
// npm run bench [-- <name>]: a service benchmark from source. Default `reward`
// (services/reward/bench/rewards-bench.ts; BENCH_ITEMS, BENCH_REPS and BENCH_WORKERS change the
// batch size, repetitions and pool size); `rollout` (services/rollout/bench/rollout.ts;
// BENCH_MAX_TOKENS, BENCH_REPS); `tools` (services/rollout/bench/tool-executor.ts: tool-call
// latency over REST vs in-process; BENCH_CALLS).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = {
  reward: 'services/reward/bench/rewards-bench.ts',
  rollout: 'services/rollout/bench/rollout.ts',
  tools: 'services/rollout/bench/tool-executor.ts',
};
const name = process.argv[2] ?? 'reward';
if (!(name in benches)) {
  console.error(`bench: unknown benchmark "${name}"; available: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const res = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', benches[name]], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
process.exit(res.status ?? 1);
