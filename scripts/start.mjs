#!/usr/bin/env node
// npm start: builds what the reward service needs when its build output is missing or older
// than its sources (tsc -b cli), then runs `grpo serve reward` and prints how to call it.
// Extra arguments pass through: npm start -- --port 9000 --workers 4. Ctrl-C stops it cleanly.
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
// Request logs are JSON lines for log shippers; a person at a terminal wants warnings only.
if (!args.includes('--log-level') && !env.GRPO_REWARD_LOG_LEVEL) args.push('--log-level', 'warn');
const child = spawn(
  process.execPath,
  [path.join(root, 'cli', 'bin', 'grpo.mjs'), 'serve', 'reward', ...args],
  {
    cwd: root,
    env,
    stdio: ['inherit', 'pipe', 'inherit'],
  },
);
let buffered = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (buffered === null) return;
  buffered += chunk.toString();
  const m = buffered.match(/listening on (http:\/\/\S+)/);
  if (!m) return;
  buffered = null;
  const url = m[1];
  const body = JSON.stringify({
    items: [
      {
        id: '1',
        prompt: 'What is 2+3?',
        completion: '<think>\nTwo plus three is five.\n</think>\n<answer>\n5\n</answer>',
        reference: '5',
      },
    ],
    rewards: [{ name: 'accuracy' }, { name: 'format', weight: 0.5 }],
  });
  console.log(`\nTry it:\n  curl -s ${url}/v1/rewards -H 'content-type: application/json' -d '${body}'\n`);
  console.log(`Reward functions: ${url}/v1/reward-functions   Metrics: ${url}/metrics`);
  console.log('Ctrl-C stops the service.');
});
// Ctrl-C reaches the child through the terminal's process group; wait for its clean exit.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
