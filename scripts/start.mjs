#!/usr/bin/env node
// npm start: the quick-start. Builds the CLI and what it depends on when the build output is
// missing or older than the sources (tsc -b cli), then runs `grpo quickstart`: the reward,
// rollout and trainer services on loopback, the built-in recipe (tiny policy, SFT cold start on
// arithmetic traces, GRPO with accuracy + format + language rewards), progress bars with live
// metrics, the dashboard URL, held-out accuracy after SFT and after GRPO, and a plot.
// Extra arguments pass through: npm start -- --runs-dir /tmp/runs. Ctrl-C stops the run at a
// step boundary with a checkpoint (resume it with `grpo train --resume <run dir>`).
import '../cli/bin/node-version.mjs';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Packages the CLI build depends on, read from the tsconfig references (transitively). */
function projectDirs(dir, seen = new Set()) {
  if (seen.has(dir)) return seen;
  seen.add(dir);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
  for (const ref of tsconfig.references ?? []) projectDirs(path.resolve(dir, ref.path), seen);
  return seen;
}

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function isStale() {
  for (const dir of projectDirs(path.join(root, 'cli'))) {
    const info = path.join(dir, 'dist', '.tsbuildinfo');
    if (!fs.existsSync(info)) return true;
    if (newestMtime(path.join(dir, 'src')) > fs.statSync(info).mtimeMs) return true;
  }
  return false;
}

const env = { ...process.env };
if (isStale()) {
  console.log('start: building (tsc -b cli) ...');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-b', 'cli'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) {
    console.warn('start: the build failed; running from the TypeScript sources instead');
    env.GRPO_FROM_SOURCE = '1';
  }
}

const args = process.argv.slice(2);
const child = spawn(process.execPath, [path.join(root, 'cli', 'bin', 'grpo.mjs'), 'quickstart', ...args], {
  cwd: root,
  env,
  stdio: 'inherit',
});
// Ctrl-C reaches the child through the terminal's process group; wait for its clean exit.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
