import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseApiKeyList } from '@grpo/service-kit';
import { main, parseCommand, writeKeyFiles } from '../src/index.js';

const envOf = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

test('grpo keys writes three 0600 env files whose keys the services accept, and never overwrites', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-keys-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'k');
  const msg = await writeKeyFiles(out);
  assert.match(msg, /kubectl -n grpo create secret generic grpo-reward-secrets --from-env-file=/);
  const read = async (n: string) => envOf(await fs.readFile(path.join(out, `${n}.env`), 'utf8'));
  for (const n of ['reward', 'rollout', 'trainer']) {
    assert.equal((await fs.stat(path.join(out, `${n}.env`))).mode & 0o777, 0o600);
  }
  const reward = parseApiKeyList((await read('reward')).GRPO_REWARD_API_KEYS!, 'X');
  const rollout = parseApiKeyList((await read('rollout')).GRPO_ROLLOUT_API_KEYS!, 'X');
  const trainer = await read('trainer');
  assert.deepEqual(
    reward.map((k) => k.name),
    ['trainer', 'admin'],
  );
  assert.equal(reward[0]!.key, trainer.GRPO_TRAINER_REWARD_API_KEY);
  assert.equal(rollout[0]!.key, trainer.GRPO_TRAINER_ROLLOUT_API_KEY);
  assert.notEqual(reward[0]!.key, rollout[0]!.key);
  assert.ok(reward[0]!.key.length >= 40);
  await assert.rejects(writeKeyFiles(out), /exists/);
});

test('keys, --data-root, --model-root and --allow-open parse to their commands and overrides', () => {
  assert.deepEqual(parseCommand(['keys', '--out', '/k'], {}), { command: 'keys', out: '/k' });
  assert.deepEqual(
    parseCommand(['serve', 'trainer', '--data-root', 'd1,d2', '--model-root', 'm', '--allow-open'], {}),
    {
      command: 'serve',
      service: 'trainer',
      overrides: { dataRoot: 'd1,d2', modelRoot: 'm', allowOpen: true },
    },
  );
  assert.deepEqual(parseCommand(['serve', 'rollout', '--model-root', '/ckpt'], {}), {
    command: 'serve',
    service: 'rollout',
    overrides: { modelRoot: '/ckpt' },
  });
  assert.throws(() => parseCommand(['serve', 'reward', '--model-root', '/x'], {}), /model-root/);
  assert.throws(() => parseCommand(['serve', 'rollout', '--data-root', '/x'], {}), /data-root/);
  assert.deepEqual(
    parseCommand(['serve', 'trainer', '--service-origins', 'http://rollout:8002,http://reward-lb:8001'], {}),
    {
      command: 'serve',
      service: 'trainer',
      overrides: { serviceOrigins: 'http://rollout:8002,http://reward-lb:8001' },
    },
  );
  assert.throws(
    () => parseCommand(['serve', 'reward', '--service-origins', 'http://x'], {}),
    /--service-origins is an option of serve trainer/,
  );
});

test('grpo serve on 0.0.0.0 without keys exits 2 and says how to set them', async () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['serve', 'reward', '--host', '0.0.0.0', '--port', '0', '--log-level', 'silent']);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(code, 2);
  const text = lines.join('');
  assert.match(text, /refusing to start: host 0\.0\.0\.0/);
  assert.match(text, /GRPO_REWARD_API_KEYS/);
  assert.match(text, /grpo keys/);
  assert.match(text, /GRPO_REWARD_ALLOW_OPEN=true \(--allow-open\)/);
});
