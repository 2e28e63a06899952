import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../src/index.js';

test('serve reward with flags becomes config overrides', () => {
  assert.deepEqual(
    parseCommand(['serve', 'reward', '--host', '0.0.0.0', '--port', '9000', '--workers', '3']),
    {
      command: 'serve',
      service: 'reward',
      overrides: { host: '0.0.0.0', port: 9000, workers: 3 },
    },
  );
});

test('no arguments or --help asks for help', () => {
  assert.deepEqual(parseCommand([]), { command: 'help' });
  assert.deepEqual(parseCommand(['serve', '--help']), { command: 'help' });
});

test('a port that is not a number is a usage error naming the flag', () => {
  assert.throws(
    () => parseCommand(['serve', 'reward', '--port', 'http']),
    (e: unknown) => e instanceof UsageError && /--port/.test(e.message),
  );
});

test('an unknown flag and an unknown service are usage errors', () => {
  assert.throws(() => parseCommand(['serve', 'reward', '--prot', '1']), UsageError);
  assert.throws(() => parseCommand(['serve', 'nope']), /available: reward/);
});

test('the bin prints usage for --help and exits 2 on a bad flag', () => {
  const bin = fileURLToPath(new URL('../bin/grpo.mjs', import.meta.url));
  const env = { ...process.env, GRPO_FROM_SOURCE: '1' };
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', env });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /grpo serve reward \[--host H\] \[--port N\]/);
  const bad = spawnSync(process.execPath, [bin, 'serve', 'reward', '--port', 'x'], { encoding: 'utf8', env });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port must be a non-negative integer/);
});

test('quickstart takes --runs-dir, --seed and --sft-steps; a seed that is not an integer is a usage error', () => {
  assert.deepEqual(
    parseCommand(['quickstart', '--runs-dir', '/tmp/r', '--seed', '3', '--sft-steps', '1600']),
    {
      command: 'quickstart',
      runsDir: '/tmp/r',
      seed: 3,
      sftSteps: 1600,
    },
  );
  assert.deepEqual(parseCommand(['quickstart']), { command: 'quickstart' });
  assert.throws(() => parseCommand(['quickstart', '--seed', 'two']), /--seed must be a non-negative integer/);
});
