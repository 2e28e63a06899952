#!/usr/bin/env node
// Runs the test suite through node:test + tsx with an explicit file list.
// On Node 20 `node --test <glob>` can silently run zero TypeScript tests, so the files
// are found here, passed by name, and a run that executes no test fails.
//
//   node scripts/test.mjs                 every *.test.ts under libs/, services/, cli/, test/
//   node scripts/test.mjs libs/graph e2e  only files whose path contains one of the words
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const roots = ['libs', 'services', 'cli', 'test'];
const skipDirs = new Set(['node_modules', 'dist', 'fixtures', '.git']);

/** @param {string} dir @param {string[]} out */
function walk(dir, out) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) walk(path.join(dir, entry.name), out);
    } else if (entry.name.endsWith('.test.ts')) {
      out.push(path.relative(root, path.join(dir, entry.name)));
    }
  }
}

const filters = process.argv.slice(2);
const all = [];
for (const r of roots) walk(path.join(root, r), all);
all.sort();
const files = filters.length ? all.filter((f) => filters.some((w) => f.includes(w))) : all;
if (files.length === 0) {
  console.error(`test: no test files found${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

// Files that measure throughput run after the others, one at a time, on otherwise idle cores.
const SERIAL = ['test/scaling.test.ts'];
const parallel = files.filter((f) => !SERIAL.includes(f));
const serial = files.filter((f) => SERIAL.includes(f));
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));

/** Runs `list` under node:test; returns the exit status and the TAP summary counts. */
function run(list, testConcurrency) {
  const tapFile = path.join(os.tmpdir(), `grpo-test-${process.pid}-${testConcurrency}.tap`);
  const args = [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${testConcurrency}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...list,
  ];
  const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  let tap = '';
  try {
    tap = fs.readFileSync(tapFile, 'utf8');
    fs.unlinkSync(tapFile);
  } catch {}
  const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  return {
    ok: res.status === 0,
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail'),
    skipped: count('skipped') + count('todo'),
  };
}

console.log(`test: ${files.length} files${serial.length ? ` (${serial.length} run alone at the end)` : ''}`);
const runs = [];
if (parallel.length) runs.push(run(parallel, concurrency));
if (serial.length) {
  console.log(`test: serial: ${serial.join(', ')}`);
  runs.push(run(serial, '1'));
}
const sum = (k) => runs.reduce((a, r) => a + r[k], 0);
const tests = sum('tests');
const pass = sum('pass');
const fail = sum('fail');
const skipped = sum('skipped');
console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
if (tests === 0) {
  console.error('test: no test was executed; failing on purpose');
  process.exit(1);
}
if (skipped > 0 && process.env.CI) {
  console.error('test: skipped or todo tests are not allowed in CI');
  process.exit(1);
}
process.exit(runs.every((r) => r.ok) && fail === 0 ? 0 : 1);
