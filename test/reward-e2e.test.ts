import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRewardClient, type RewardClient, ServiceClientError } from '@grpo/clients';

// The real `grpo serve reward` process on 127.0.0.1, port 0, behind API keys, called over
// HTTP with the client generated from openapi/reward.json.
const bin = fileURLToPath(new URL('../cli/bin/grpo.mjs', import.meta.url));
const TRAINER_KEY = 'e2e-trainer-key-0123456789';
const TINY_KEY = 'e2e-tiny-key-0123456789ab';
const PROM_KEY = 'e2e-prometheus-key-012345';
const keysDir = mkdtempSync(join(tmpdir(), 'grpo-e2e-keys-'));
const keysFile = join(keysDir, 'api-keys.jsonl');
writeFileSync(
  keysFile,
  [
    '# name, key, scopes, rate: one JSON object per line',
    JSON.stringify({ name: 'trainer', key: TRAINER_KEY }),
    JSON.stringify({ name: 'tiny', key: TINY_KEY, scopes: ['score'], rateItemsPerS: 0.5, burstItems: 4 }),
    JSON.stringify({ name: 'prometheus', key: PROM_KEY, scopes: ['metrics'] }),
  ].join('\n'),
);
let child: ChildProcess;
let baseUrl: string;
let client: RewardClient;
let output = '';

before(async () => {
  child = spawn(
    process.execPath,
    [bin, 'serve', 'reward', '--port', '0', '--workers', '2', '--log-level', 'warn'],
    {
      env: {
        ...process.env,
        GRPO_FROM_SOURCE: '1',
        GRPO_REWARD_MAX_COMPLETION_CHARS: '2000',
        GRPO_REWARD_MAX_REQUEST_CHARS: '1000000',
        GRPO_REWARD_API_KEYS_FILE: keysFile,
        GRPO_REWARD_METRICS_AUTH: 'true',
      },
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
  baseUrl = url;
  client = createRewardClient({
    baseUrl: url,
    apiKey: TRAINER_KEY,
    timeoutMs: 30_000,
    retries: 2,
    backoffMs: 50,
  });
});

after(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(keysDir, { recursive: true, force: true });
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

const isClientError = (status: number, code: string) => (e: unknown) =>
  e instanceof ServiceClientError && e.statusCode === status && e.code === code;

test('probes answer without a key while scoring without one is a 401 that says how to send it', async () => {
  const anonymous = createRewardClient({ baseUrl, retries: 2, backoffMs: 10 });
  assert.equal((await anonymous.health()).status, 'ok');
  await assert.rejects(anonymous.score({ items: [], rewards: [{ name: 'format' }] }), (e: unknown) => {
    assert.ok(isClientError(401, 'GRPO_UNAUTHORIZED')(e), String(e));
    assert.match((e as Error).message, /Authorization: Bearer <key>/);
    // A 401 is the caller's to fix: not retried.
    assert.equal((e as ServiceClientError).attempts, 1);
    return true;
  });
  const wrong = createRewardClient({ baseUrl, apiKey: 'not-a-key-of-this-service', retries: 0 });
  await assert.rejects(wrong.functions(), isClientError(401, 'GRPO_UNAUTHORIZED'));
});

test('a key without the score scope is refused with 403', async () => {
  const prom = createRewardClient({ baseUrl, apiKey: PROM_KEY, retries: 0 });
  await assert.rejects(prom.score({ items: [], rewards: [{ name: 'format' }] }), (e: unknown) => {
    assert.ok(isClientError(403, 'GRPO_FORBIDDEN')(e), String(e));
    assert.match((e as Error).message, /needs scope "score"/);
    return true;
  });
});

test('a rate-limited key gets 429 with Retry-After, and a retrying client waits and succeeds', async () => {
  const item = (id: string) => ({ id, prompt: 'p', completion: r1('5') });
  const once = createRewardClient({ baseUrl, apiKey: TINY_KEY, retries: 0 });
  const four = await once.raw.POST('/v1/rewards', {
    body: { items: ['a', 'b', 'c', 'd'].map(item), rewards: [{ name: 'format' }] },
  });
  assert.equal(four.response.status, 200);
  assert.equal(four.response.headers.get('x-ratelimit-limit'), '4');
  assert.equal(four.response.headers.get('x-ratelimit-remaining'), '0');
  const refused = await once.raw.POST('/v1/rewards', {
    body: { items: ['e', 'f'].map(item), rewards: [{ name: 'format' }] },
  });
  assert.equal(refused.response.status, 429);
  assert.ok(Number(refused.response.headers.get('retry-after')) >= 1);
  assert.equal(refused.error?.error.code, 'GRPO_RATE_LIMITED');
  assert.match(refused.error?.error.message ?? '', /key "tiny" is over its rate limit of 0.5 items\/s/);
  const patient = createRewardClient({ baseUrl, apiKey: TINY_KEY, retries: 3, backoffMs: 10 });
  const started = Date.now();
  const out = await patient.score({ items: ['g', 'h'].map(item), rewards: [{ name: 'format' }] });
  assert.equal(out.results.length, 2);
  assert.ok(Date.now() - started >= 500, `waited ${Date.now() - started} ms`);
});

test('a request over maxRequestChars is a 413 naming the field', async () => {
  const big = 'x'.repeat(1_000_001);
  await assert.rejects(
    client.score({ items: [{ id: 'big', prompt: '', completion: big }], rewards: [{ name: 'format' }] }),
    (e: unknown) =>
      isClientError(413, 'GRPO_REWARD_TOO_MANY_CHARS')(e) && (e as ServiceClientError).field === 'items',
  );
});

test('/metrics needs a metrics key and shows per-function counters, latencies and rejections', async () => {
  assert.equal((await fetch(`${baseUrl}/metrics`)).status, 401);
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${PROM_KEY}` } });
  assert.equal(res.status, 200);
  const text = await res.text();
  const count = (re: RegExp) => Number(text.match(re)?.[1] ?? Number.NaN);
  assert.ok(count(/grpo_reward_components_total\{fn="format",status="ok"\} (\d+)/) >= 1, text);
  assert.ok(count(/grpo_reward_fn_seconds_count\{fn="format"\} (\d+)/) >= 10_000);
  assert.ok(count(/grpo_reward_request_items_count (\d+)/) >= 3);
  assert.ok(
    count(/grpo_reward_rejected_requests_total\{reason="unauthorized",status_code="401"\} (\d+)/) >= 1,
  );
  assert.ok(
    count(/grpo_reward_rejected_requests_total\{reason="rate_limited",status_code="429"\} (\d+)/) >= 1,
  );
});

test('SIGTERM shuts the process down cleanly with exit code 0', async () => {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output);
});
