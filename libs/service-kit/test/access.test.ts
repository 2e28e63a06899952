import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import {
  ConfigError,
  createServer,
  KeyRing,
  KitConfig,
  loadApiKeys,
  loadConfig,
  parseApiKeysFile,
  TokenBucket,
} from '../src/index.js';

const FULL = 'full-access-key-0123456789';
const METRICS = 'metrics-only-key-0123456789';
const SLOW = 'slow-key-0123456789abcdef';
const KEYS = `ops:${FULL},scraper:${METRICS}`;

/** An app with one scoped, rate-charged route: `POST /v1/score {n}` costs n items. */
async function buildApp(overrides: Record<string, unknown> = {}, file?: string) {
  const config = loadConfig(KitConfig, {
    prefix: 'TEST_',
    env: {},
    overrides: { apiKeys: KEYS, ...(file ? { apiKeysFile: file } : {}), ...overrides },
  });
  const app = await createServer({
    service: 'test',
    version: '0',
    config,
    logger: false,
    defaultMetrics: false,
  });
  app.post(
    '/v1/score',
    {
      config: { scope: 'score' },
      schema: { body: Type.Object({ n: Type.Integer({ minimum: 0 }) }) },
    },
    async (request, reply) => {
      app.access.charge(request, reply, request.body.n);
      return { ok: true, key: request.apiKey?.name ?? null };
    },
  );
  await app.ready();
  return app;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function keysFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'grpo-keys-'));
  const file = join(dir, 'keys');
  writeFileSync(file, lines.join('\n'));
  return file;
}

test('a request without a key gets 401 with WWW-Authenticate and says how to send the key', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: { n: 1 } });
  assert.equal(res.statusCode, 401);
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="grpo-test"');
  const err = res.json().error;
  assert.equal(err.code, 'GRPO_UNAUTHORIZED');
  assert.equal(err.statusCode, 401);
  assert.match(err.message, /Authorization: Bearer <key>/);
});

test('a malformed Authorization header is 401 invalid_request', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: { authorization: `Basic ${FULL}` },
    payload: { n: 1 },
  });
  assert.equal(res.statusCode, 401);
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="grpo-test", error="invalid_request"');
  assert.match(res.json().error.message, /malformed Authorization header/);
});

test('an unknown key is 401 invalid_token and the key is not echoed', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer('not-a-real-key-0123456789'),
    payload: { n: 1 },
  });
  assert.equal(res.statusCode, 401);
  assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
  assert.match(res.json().error.message, /unknown API key/);
  assert.doesNotMatch(res.body, /not-a-real-key/);
});

test('a known key is accepted and the handler sees its name', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(FULL),
    payload: { n: 1 },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { ok: true, key: 'ops' });
});

test('a known key without the route scope gets 403 naming the scope it lacks', async (t) => {
  const file = keysFile([JSON.stringify({ name: 'scraper2', key: SLOW, scopes: ['metrics'] })]);
  t.after(() => rmSync(dirname(file), { recursive: true, force: true }));
  const app = await buildApp({ apiKeys: '' }, file);
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(SLOW),
    payload: { n: 1 },
  });
  assert.equal(res.statusCode, 403);
  const err = res.json().error;
  assert.equal(err.code, 'GRPO_FORBIDDEN');
  assert.match(err.message, /key "scraper2" may not call POST \/v1\/score: the route needs scope "score"/);
});

test('probes and docs stay open while keys are configured; /metrics only until metricsAuth', async (t) => {
  const app = await buildApp();
  t.after(() => app.close());
  for (const url of ['/health', '/ready', '/openapi.json', '/metrics']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
  }
  const locked = await buildApp({ metricsAuth: true });
  t.after(() => locked.close());
  assert.equal((await locked.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  assert.equal((await locked.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  const ok = await locked.inject({ method: 'GET', url: '/metrics', headers: bearer(FULL) });
  assert.equal(ok.statusCode, 200);
});

test('with no keys every route is open', async (t) => {
  const app = await buildApp({ apiKeys: '' });
  t.after(() => app.close());
  assert.equal(app.access.open, true);
  const res = await app.inject({ method: 'POST', url: '/v1/score', payload: { n: 5 } });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { ok: true, key: null });
});

test('a key over its item rate gets 429 with Retry-After, X-RateLimit-* and when to retry', async (t) => {
  const file = keysFile([JSON.stringify({ name: 'slow', key: SLOW, rateItemsPerS: 0.2, burstItems: 10 })]);
  t.after(() => rmSync(dirname(file), { recursive: true, force: true }));
  const app = await buildApp({}, file);
  t.after(() => app.close());
  const first = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(SLOW),
    payload: { n: 8 },
  });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-ratelimit-limit'], '10');
  assert.equal(first.headers['x-ratelimit-remaining'], '2');
  const second = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(SLOW),
    payload: { n: 6 },
  });
  assert.equal(second.statusCode, 429);
  // 4 items short at 0.2 items/s: 20 s; 8 items to refill: 40 s (exact while the two
  // requests are less than a second apart).
  assert.equal(second.headers['retry-after'], '20');
  assert.equal(second.headers['x-ratelimit-remaining'], '2');
  assert.equal(second.headers['x-ratelimit-reset'], '40');
  const err = second.json().error;
  assert.equal(err.code, 'GRPO_RATE_LIMITED');
  assert.match(
    err.message,
    /key "slow" is over its rate limit of 0.2 items\/s \(burst 10\).*retry after 20 s/,
  );
  // Other keys have their own bucket (the default here is no limit).
  const other = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(FULL),
    payload: { n: 500 },
  });
  assert.equal(other.statusCode, 200);
});

test('a request costing more than the burst is 413 with field items, not a 429 to retry forever', async (t) => {
  const app = await buildApp({ rateLimitItemsPerS: 1, rateLimitBurstItems: 3 });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/score',
    headers: bearer(FULL),
    payload: { n: 4 },
  });
  assert.equal(res.statusCode, 413);
  assert.deepEqual(res.json().error, {
    code: 'GRPO_REQUEST_OVER_BURST',
    message:
      'this request has 4 items but key "ops" can send at most 3 per request (burst); split it into smaller requests',
    field: 'items',
    statusCode: 413,
  });
});

test('rejections are counted by reason at /metrics', async (t) => {
  const app = await buildApp({ rateLimitItemsPerS: 1, rateLimitBurstItems: 1 });
  t.after(() => app.close());
  await app.inject({ method: 'POST', url: '/v1/score', payload: { n: 1 } });
  await app.inject({ method: 'POST', url: '/v1/score', headers: bearer(FULL), payload: { n: 1 } });
  await app.inject({ method: 'POST', url: '/v1/score', headers: bearer(FULL), payload: { n: 1 } });
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(text, /grpo_test_rejected_requests_total\{reason="unauthorized",status_code="401"\} 1/);
  assert.match(text, /grpo_test_rejected_requests_total\{reason="rate_limited",status_code="429"\} 1/);
});

test('the keys file takes plain, named and JSON lines and skips comments', () => {
  const keys = parseApiKeysFile(
    [
      '# operators',
      '',
      'plain-key-0123456789abcdef',
      `named:${FULL}`,
      JSON.stringify({ name: 'trainer', key: SLOW, scopes: ['score'], rateItemsPerS: 100 }),
    ].join('\n'),
    'keys.txt',
    'TEST_API_KEYS_FILE',
  );
  assert.deepEqual(
    keys.map((k) => [k.name, k.scopes, k.rateItemsPerS]),
    [
      ['key1', ['*'], undefined],
      ['named', ['*'], undefined],
      ['trainer', ['score'], 100],
    ],
  );
});

test('bad keys are refused at start with the file line and the env var', (t) => {
  assert.throws(
    () => parseApiKeysFile('{"key": "short"}', 'keys.txt', 'TEST_API_KEYS_FILE'),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.envVar === 'TEST_API_KEYS_FILE' &&
      /keys.txt:1: key "key1" must be at least 16/.test(e.message),
  );
  assert.throws(
    () => parseApiKeysFile('{"key": "x", "rate": 1}', 'keys.txt', 'TEST_API_KEYS_FILE'),
    /unknown field "rate"/,
  );
  assert.throws(
    () => loadApiKeys({ apiKeys: `a:${FULL},b:${FULL}`, apiKeysFile: '' }, 'TEST_'),
    /key "b" is listed twice/,
  );
  const missing = join(tmpdir(), 'grpo-no-such-keys-file');
  assert.throws(() => loadApiKeys({ apiKeys: '', apiKeysFile: missing }, 'TEST_'), /cannot read/);
  t.diagnostic('every bad key case names where it came from');
});

test('the key ring finds keys by value and rejects prefixes and extensions', () => {
  const ring = new KeyRing(loadApiKeys({ apiKeys: KEYS, apiKeysFile: '' }, 'TEST_'));
  assert.equal(ring.find(FULL)?.name, 'ops');
  assert.equal(ring.find(METRICS)?.name, 'scraper');
  assert.equal(ring.find(FULL.slice(0, -1)), undefined);
  assert.equal(ring.find(`${FULL}x`), undefined);
  assert.equal(ring.find(''), undefined);
});

test('the token bucket refills at its rate and never above its burst', () => {
  let now = 0;
  const bucket = new TokenBucket(10, 20, () => now);
  assert.equal(bucket.charge(20).allowed, true);
  const refused = bucket.charge(5);
  assert.deepEqual(refused, { allowed: false, limit: 20, remaining: 0, resetS: 2, retryAfterS: 1 });
  now = 500; // +5 items
  assert.equal(bucket.charge(5).allowed, true);
  now = 100_000;
  assert.equal(bucket.charge(0).remaining, 20);
  assert.throws(() => new TokenBucket(0, 1), RangeError);
});
