#!/usr/bin/env node
// Runs the test suite through node:test + tsx with an explicit file list.
// On Node 20 `node --test <glob>` can silently run zero TypeScript tests, so the files
// are found here, passed by name, and a run that executes no test fails.
//
//   node scripts/test.mjs                 every *.test.ts under libs/, services/, cli/, test/
//   node scripts/test.mjs libs/graph e2e  only files whose path contains one of the words
import { spawn } from 'node:child_process';
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
// A test that hangs fails after TEST_TIMEOUT_MS with its name (the slowest test takes well under
// a minute on 2 cores). (--test-force-exit is not used: under load it ended a file's process
// with tests of that file not yet run and not reported, a silent loss.)
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '300000';
// A file that blocks its event loop never reaches its own timeout: the files still running
// after TEST_SLOW_FILE_S are named as they pass it, and after TEST_WALL_S the run is killed
// with the files it was waiting on named, so a stuck file fails the suite instead of stalling it.
const slowFileS = Number(process.env.TEST_SLOW_FILE_S ?? 240);
const wallS = Number(process.env.TEST_WALL_S ?? 2400);

/** The test files the runner `pid` has child processes for now (Linux /proc; none elsewhere). */
function runningFiles(pid) {
  const out = [];
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const file = argv.find((a) => a.endsWith('.test.ts'));
      if (file) out.push({ pid: Number(e), file: path.relative(root, path.resolve(root, file)) });
    } catch {}
  }
  return out;
}

/** Runs `list` under node:test; returns the exit status and the TAP summary counts. */
async function run(list, testConcurrency) {
  const tapFile = path.join(os.tmpdir(), `grpo-test-${process.pid}-${testConcurrency}.tap`);
  const args = [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${testConcurrency}`,
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...list,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
    detached: true,
  });
  const started = Date.now();
  const firstSeen = new Map();
  const reported = new Set();
  let killed = false;
  const watch = setInterval(() => {
    const now = Date.now();
    const running = runningFiles(child.pid);
    for (const r of running) {
      if (!firstSeen.has(r.pid)) firstSeen.set(r.pid, now);
      const s = Math.round((now - firstSeen.get(r.pid)) / 1000);
      if (s >= slowFileS && !reported.has(r.pid)) {
        reported.add(r.pid);
        console.error(`test: ${r.file} still running after ${s}s`);
      }
    }
    if (!killed && now - started > wallS * 1000) {
      killed = true;
      const names = running.map((r) => r.file).join(', ') || 'no file process found';
      console.error(`test: the run passed TEST_WALL_S=${wallS}s; killing it while it waited on: ${names}`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  }, 5000);
  const status = await new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ? 1 : code)),
  );
  clearInterval(watch);
  let tap = '';
  try {
    tap = fs.readFileSync(tapFile, 'utf8');
    fs.unlinkSync(tapFile);
  } catch {}
  const count = (name) => Number(tap.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  return {
    ok: status === 0 && !killed,
    tests: count('tests'),
    pass: count('pass'),
    fail: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
}

console.log(`test: ${files.length} files${serial.length ? ` (${serial.length} run alone at the end)` : ''}`);
const runs = [];
if (parallel.length) runs.push(await run(parallel, concurrency));
if (serial.length) {
  console.log(`test: serial: ${serial.join(', ')}`);
  runs.push(await run(serial, '1'));
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
