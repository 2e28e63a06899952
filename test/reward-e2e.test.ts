import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RewardClient, ServiceClientError } from '@grpo/clients';

// The real `grpo serve reward` process on 127.0.0.1, port 0, called over HTTP with the client.
const bin = fileURLToPath(new URL('../cli/bin/grpo.mjs', import.meta.url));
let child: ChildProcess;
let client: RewardClient;
let output = '';

before(async () => {
  child = spawn(
    process.execPath,
    [bin, 'serve', 'reward', '--port', '0', '--workers', '2', '--log-level', 'warn'],
    {
      env: { ...process.env, GRPO_FROM_SOURCE: '1', GRPO_REWARD_MAX_COMPLETION_CHARS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  client = new RewardClient({ baseUrl: url, timeoutMs: 30_000, retries: 2, backoffMs: 50 });
});

after(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

const r1 = (answer: string) => `<think>\nTwo plus three is five.\n</think>\n<answer>\n${answer}\n</answer>`;

test('the served process is healthy and ready with its pool', async () => {
  assert.equal((await client.health()).status, 'ok');
  const ready = await client.ready();
  assert.equal(ready.status, 'ready');
  assert.equal(ready.checks.pool?.ok, true);
});

test('the built-in functions are listed', async () => {
  const names = (await client.functions()).functions.map((f) => f.name);
  for (const n of ['format', 'language_consistency', 'accuracy'])
    assert.ok(names.includes(n), `${n} in ${names}`);
});

test('a batch scores over HTTP and one oversized item does not fail it', async () => {
  const out = await client.score({
    items: [
      { id: 'good', prompt: 'What is 2+3?', completion: r1('5'), reference: '5', language: 'en' },
      { id: 'wrong', prompt: 'What is 2+3?', completion: r1('6'), reference: '5', language: 'en' },
      { id: 'huge', prompt: 'What is 2+3?', completion: 'x'.repeat(3000), reference: '5' },
    ],
    rewards: [
      { name: 'accuracy' },
      { name: 'format', weight: 0.5 },
      { name: 'language_consistency', weight: 0.1 },
    ],
  });
  const [good, wrong, huge] = out.results;
  assert.deepEqual(
    good?.components.map((c) => c.status),
    ['ok', 'ok', 'ok'],
  );
  assert.equal(good?.total, 1.6);
  assert.equal(wrong?.components[0]?.status, 'wrong');
  assert.equal(wrong?.total, 0.6);
  assert.deepEqual(
    huge?.components.map((c) => c.reason),
    ['completion_too_long', 'completion_too_long', 'completion_too_long'],
  );
  assert.equal(out.stats.items, 3);
});

test('a batch of 10,000 format + language items scores every item', async () => {
  const items = Array.from({ length: 10_000 }, (_, i) => ({
    id: `q${i}`,
    prompt: 'What is 2+3?',
    completion: i % 3 === 0 ? 'five' : r1(String(i)),
    language: 'en',
  }));
  const out = await client.score({ items, rewards: [{ name: 'format' }, { name: 'language_consistency' }] });
  assert.equal(out.results.length, 10_000);
  assert.equal(out.results[9_999]?.id, 'q9999');
  assert.equal(out.stats.errors, 0);
  assert.equal(out.results[1]?.components[0]?.status, 'ok');
  assert.equal(out.results[0]?.components[0]?.status, 'wrong');
});

test('an unknown reward name comes back as a client error with code and field', async () => {
  await assert.rejects(
    client.score({ items: [], rewards: [{ name: 'nope' }] }),
    (e: unknown) =>
      e instanceof ServiceClientError &&
      e.statusCode === 400 &&
      e.code === 'GRPO_REWARD_UNKNOWN_FN' &&
      e.field === 'rewards[0].name',
  );
});

test('the OpenRLHF route scores a query with the default accuracy + format spec', async () => {
  const prompt = '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n';
  const out = await client.getReward({
    query: [`${prompt}${r1('5')}<|im_end|>`],
    prompts: [prompt],
    labels: ['5'],
  });
  assert.deepEqual(out.rewards, [2]);
  assert.deepEqual(out.extra_logs, { accuracy: [1], format: [1] });
});

test('SIGTERM shuts the process down cleanly with exit code 0', async () => {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output);
});
