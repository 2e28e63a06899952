import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildTestRewardApp } from './helpers/app.js';

const SCORER = 'scorer-key-0123456789abcdef';
const LISTER = 'lister-key-0123456789abcdef';
const keys = `trainer:${SCORER}`;
const body = (n: number) => ({
  items: Array.from({ length: n }, (_, i) => ({ id: `i${i}`, prompt: 'p', completion: '<answer>1' })),
  rewards: [{ name: 'contains' }],
});

test('scoring routes need a key: 401 without one, 200 with one, on both scoring routes', async (t) => {
  const app = await buildTestRewardApp({ apiKeys: keys });
  t.after(() => app.close());
  for (const [url, payload] of [
    ['/v1/rewards', body(1)],
    ['/get_reward', { query: ['<answer>1'] }],
  ] as const) {
    const no = await app.inject({ method: 'POST', url, payload });
    assert.equal(no.statusCode, 401, url);
    assert.equal(no.json().error.code, 'GRPO_UNAUTHORIZED');
    assert.match(String(no.headers['www-authenticate']), /^Bearer realm="grpo-reward"/);
    const yes = await app.inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${SCORER}` },
    });
    assert.equal(yes.statusCode, 200, yes.body);
  }
});

test('a key limited to metrics gets 403 on scoring but may list the functions', async (t) => {
  // Scopes are set per key in the keys file (comma-listed keys may call everything).
  const dir = mkdtempSync(join(tmpdir(), 'grpo-reward-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'keys');
  writeFileSync(file, JSON.stringify({ name: 'grafana', key: LISTER, scopes: ['metrics'] }));
  const scoped = await buildTestRewardApp({ apiKeysFile: file });
  t.after(() => scoped.close());
  const auth = { authorization: `Bearer ${LISTER}` };
  const res = await scoped.inject({ method: 'POST', url: '/v1/rewards', payload: body(1), headers: auth });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.code, 'GRPO_FORBIDDEN');
  const list = await scoped.inject({ method: 'GET', url: '/v1/reward-functions', headers: auth });
  assert.equal(list.statusCode, 200);
});

test('the rate limit charges one token per item and answers 429 with headers', async (t) => {
  // A slow refill (one item per 10 s) keeps the test independent of how slow the machine is.
  const app = await buildTestRewardApp({ apiKeys: keys, rateLimitItemsPerS: 0.1, rateLimitBurstItems: 5 });
  t.after(() => app.close());
  const headers = { authorization: `Bearer ${SCORER}` };
  const first = await app.inject({ method: 'POST', url: '/v1/rewards', payload: body(5), headers });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-ratelimit-remaining'], '0');
  const second = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: ['a', 'b'] },
    headers,
  });
  assert.equal(second.statusCode, 429);
  const retryAfter = Number(second.headers['retry-after']);
  assert.ok(retryAfter > 10 && retryAfter <= 20, `retry after ${retryAfter} s`);
  assert.equal(second.json().error.code, 'GRPO_RATE_LIMITED');
  const tooBig = await app.inject({ method: 'POST', url: '/v1/rewards', payload: body(6), headers });
  assert.equal(tooBig.statusCode, 413);
  assert.equal(tooBig.json().error.code, 'GRPO_REQUEST_OVER_BURST');
});

test('a request over the item limit is refused before it costs any tokens', async (t) => {
  const app = await buildTestRewardApp({ rateLimitItemsPerS: 0.01, rateLimitBurstItems: 3, maxItems: 2 });
  t.after(() => app.close());
  const over = await app.inject({ method: 'POST', url: '/v1/rewards', payload: body(3) });
  assert.equal(over.statusCode, 400);
  assert.equal(over.json().error.code, 'GRPO_REWARD_TOO_MANY_ITEMS');
  const ok = await app.inject({ method: 'POST', url: '/v1/rewards', payload: body(2) });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['x-ratelimit-remaining'], '1');
});

test('total characters over maxRequestChars are a 413 naming the field, on both routes', async (t) => {
  const app = await buildTestRewardApp({ maxRequestChars: 100 });
  t.after(() => app.close());
  const items = [{ id: 'a', prompt: 'p'.repeat(40), completion: 'c'.repeat(40), reference: 'r'.repeat(20) }];
  const exact = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: { items, rewards: [{ name: 'contains' }] },
  });
  assert.equal(exact.statusCode, 200, 'exactly at the limit passes');
  const over = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: {
      items: [{ ...items[0], reference: { answer: 'r'.repeat(20) } }],
      rewards: [{ name: 'contains' }],
    },
  });
  assert.equal(over.statusCode, 413);
  assert.deepEqual(over.json().error, {
    code: 'GRPO_REWARD_TOO_MANY_CHARS',
    message:
      'items hold 113 characters in all (prompts, completions and references); the limit is 100 (maxRequestChars); split the batch',
    field: 'items',
    statusCode: 413,
  });
  const q = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: ['q'.repeat(60)], prompts: ['p'.repeat(30)], labels: ['l'.repeat(11)] },
  });
  assert.equal(q.statusCode, 413);
  assert.equal(q.json().error.field, 'query');
});
