import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createRewardClient, HttpClient, retryAfterMs, ServiceClientError } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, call: number) => void;

async function serve(t: { after: (fn: () => unknown) => void }, handler: Handler): Promise<string> {
  let call = 0;
  const server = createServer((req, res) => handler(req, res, ++call));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('a 503 is retried and the later success is returned', async (t) => {
  const url = await serve(t, (_req, res, call) =>
    call < 3
      ? json(res, 503, { error: { code: 'GRPO_OVERLOADED', message: 'busy', statusCode: 503 } })
      : json(res, 200, { ok: call }),
  );
  const client = new HttpClient({ baseUrl: url, retries: 3, backoffMs: 1 });
  assert.deepEqual(await client.request('GET', '/x'), { ok: 3 });
});

test('a 400 is not retried and carries the code and field', async (t) => {
  let calls = 0;
  const url = await serve(t, (_req, res) => {
    calls++;
    json(res, 400, {
      error: { code: 'GRPO_VALIDATION', message: 'items[0].id bad', field: 'items[0].id', statusCode: 400 },
    });
  });
  const client = createRewardClient({ baseUrl: url, retries: 3, backoffMs: 1 });
  await assert.rejects(
    client.score({ items: [], rewards: [{ name: 'x' }] }),
    (e: unknown) =>
      e instanceof ServiceClientError &&
      e.code === 'GRPO_VALIDATION' &&
      e.field === 'items[0].id' &&
      e.statusCode === 400,
  );
  assert.equal(calls, 1);
});

test('a refused connection fails after every retry with a connection code', async () => {
  const client = new HttpClient({ baseUrl: 'http://127.0.0.1:1', retries: 2, backoffMs: 1 });
  await assert.rejects(
    client.request('GET', '/health'),
    (e: unknown) =>
      e instanceof ServiceClientError && e.code === 'GRPO_CLIENT_CONNECTION' && e.attempts === 3,
  );
});

test('a reply slower than timeoutMs is a timeout', async (t) => {
  const url = await serve(t, (_req, res) => {
    const timer = setTimeout(() => json(res, 200, {}), 2000);
    res.on('close', () => clearTimeout(timer));
  });
  const client = new HttpClient({ baseUrl: url, retries: 0, timeoutMs: 50 });
  await assert.rejects(
    client.request('GET', '/slow'),
    (e: unknown) => e instanceof ServiceClientError && e.code === 'GRPO_CLIENT_TIMEOUT' && e.statusCode === 0,
  );
});

test('the body is sent as JSON', async (t) => {
  const url = await serve(t, (req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () =>
      json(res, 200, { method: req.method, type: req.headers['content-type'], body: JSON.parse(body) }),
    );
  });
  const client = new HttpClient({ baseUrl: `${url}/` });
  assert.deepEqual(await client.request('POST', '/echo', { a: 1 }), {
    method: 'POST',
    type: 'application/json',
    body: { a: 1 },
  });
});

test('a 429 waits for Retry-After before the next attempt, then succeeds', async (t) => {
  const seen: number[] = [];
  const url = await serve(t, (_req, res, call) => {
    seen.push(Date.now());
    if (call === 1) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(
        JSON.stringify({ error: { code: 'GRPO_RATE_LIMITED', message: 'slow down', statusCode: 429 } }),
      );
    } else json(res, 200, { functions: [] });
  });
  const client = createRewardClient({ baseUrl: url, retries: 2, backoffMs: 1 });
  assert.deepEqual(await client.functions(), { functions: [] });
  assert.equal(seen.length, 2);
  assert.ok(seen[1]! - seen[0]! >= 950, `waited ${seen[1]! - seen[0]!} ms`);
});

test('a Retry-After longer than maxRetryAfterMs fails at once with the 429 code', async (t) => {
  let calls = 0;
  const url = await serve(t, (_req, res) => {
    calls++;
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3600' });
    res.end(JSON.stringify({ error: { code: 'GRPO_RATE_LIMITED', message: 'hour', statusCode: 429 } }));
  });
  const client = createRewardClient({ baseUrl: url, retries: 3, backoffMs: 1, maxRetryAfterMs: 5_000 });
  await assert.rejects(
    client.functions(),
    (e: unknown) => e instanceof ServiceClientError && e.statusCode === 429 && e.code === 'GRPO_RATE_LIMITED',
  );
  assert.equal(calls, 1);
});

test('the API key goes out as a bearer token and the POST body is resent on a retry', async (t) => {
  const auth: Array<string | undefined> = [];
  const bodies: string[] = [];
  const url = await serve(t, (req, res, call) => {
    auth.push(req.headers.authorization);
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      if (call === 1)
        json(res, 503, { error: { code: 'GRPO_OVERLOADED', message: 'busy', statusCode: 503 } });
      else json(res, 200, { rewards: [1], scores: [1], extra_logs: {} });
    });
  });
  const client = createRewardClient({ baseUrl: url, apiKey: 'k-0123456789abcdef', retries: 1, backoffMs: 1 });
  const out = await client.getReward({ query: ['q'] });
  assert.deepEqual(out.rewards, [1]);
  assert.deepEqual(auth, ['Bearer k-0123456789abcdef', 'Bearer k-0123456789abcdef']);
  assert.deepEqual(bodies, ['{"query":["q"]}', '{"query":["q"]}']);
});

test('a redirect is never followed: typed and untyped clients fail with HTTP_3xx, the target gets nothing', async (t) => {
  const hits: string[] = [];
  const target = await serve(t, (req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    json(res, 200, { rewards: [1], scores: [1], extra_logs: {} });
  });
  for (const status of [301, 302, 303, 307, 308]) {
    let calls = 0;
    const url = await serve(t, (_req, res) => {
      calls++;
      res.writeHead(status, { location: `${target}/get_reward` });
      res.end();
    });
    const typed = createRewardClient({
      baseUrl: url,
      apiKey: 'k-0123456789abcdef',
      retries: 2,
      backoffMs: 1,
    });
    const untyped = new HttpClient({ baseUrl: url, apiKey: 'k-0123456789abcdef', retries: 2, backoffMs: 1 });
    for (const call of [
      () => typed.getReward({ query: ['q'] }),
      () => untyped.request('POST', '/get_reward', {}),
    ]) {
      const err = (await call().catch((e: unknown) => e)) as ServiceClientError;
      assert.ok(err instanceof ServiceClientError, String(err));
      assert.equal(err.code, `HTTP_${status}`);
      assert.equal(err.statusCode, status);
      assert.match(err.message, new RegExp(`${status} redirect to ${target}/get_reward not followed`));
    }
    assert.equal(calls, 2, 'one attempt per client: a redirect is not retried');
  }
  assert.deepEqual(hits, []);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(
    retryAfterMs('Sun, 22 Nov 2026 06:00:10 GMT', Date.parse('Sun, 22 Nov 2026 06:00:00 GMT')),
    10_000,
  );
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(null), undefined);
});
