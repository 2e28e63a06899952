#!/usr/bin/env node
// npm run bench: the reward service benchmark (services/reward/bench/rewards-bench.ts) from
// source. BENCH_ITEMS, BENCH_REPS and BENCH_WORKERS change the batch size, repetitions and pool size.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const res = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', 'services/reward/bench/rewards-bench.ts'],
  { cwd: root, stdio: 'inherit', env: process.env },
);
process.exit(res.status ?? 1);
