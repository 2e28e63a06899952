import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import createError from '@fastify/error';
import { FieldError, pointerToPath, runServer } from '../src/index.js';
import { buildTestApp } from './helpers.js';

test('json pointers become dotted paths with indices', () => {
  assert.equal(pointerToPath('/items/0/completion'), 'items[0].completion');
  assert.equal(pointerToPath(''), '');
});

test('a wrong type is a 400 naming the field', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 'a', n: 'x' }] } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.json().error.code, 'GRPO_VALIDATION');
  assert.equal(res.json().error.field, 'items[0].n');
});

test('a number where a string belongs is not coerced', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 5, n: 1 }] } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, 'items[0].id');
});

test('a missing property is named in the field', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 'a' }] } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, 'items[0].n');
});

test('malformed JSON is a 400 with code GRPO_BAD_JSON', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json' },
    payload: '{"items": [',
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'GRPO_BAD_JSON');
  assert.equal(res.json().error.field, 'body');
});

test('a body over the limit is a 413 and the app keeps serving', async (t) => {
  const app = await buildTestApp({ bodyLimitBytes: 1024 });
  t.after(() => app.close());
  const big = { items: [{ id: 'x'.repeat(2000), n: 1 }] };
  const res = await app.inject({ method: 'POST', url: '/echo', payload: big });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().error.code, 'GRPO_BODY_TOO_LARGE');
  assert.equal(res.json().error.statusCode, 413);
  const ok = await app.inject({ method: 'POST', url: '/echo', payload: { items: [{ id: 'a', n: 1 }] } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.json().count, 1);
});

test('an unknown route is a 404 in the error shape', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'GRPO_NOT_FOUND');
  assert.match(res.json().error.message, /GET \/nope/);
});

test('a thrown @fastify/error keeps its code and status, a FieldError its field', async (t) => {
  const app = await buildTestApp();
  const Teapot = createError('GRPO_TEAPOT', 'short and stout', 418);
  app.get('/teapot', async () => {
    throw new Teapot();
  });
  app.get('/field', async () => {
    throw new FieldError('GRPO_X', 422, 'items[2].id', 'bad id');
  });
  app.get('/boom', async () => {
    throw new Error('secret detail');
  });
  t.after(() => app.close());
  const tea = await app.inject({ method: 'GET', url: '/teapot' });
  assert.deepEqual(tea.json(), {
    error: { code: 'GRPO_TEAPOT', message: 'short and stout', statusCode: 418 },
  });
  const field = await app.inject({ method: 'GET', url: '/field' });
  assert.equal(field.statusCode, 422);
  assert.equal(field.json().error.field, 'items[2].id');
  const boom = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(boom.statusCode, 500);
  assert.deepEqual(boom.json().error, { code: 'GRPO_INTERNAL', message: 'internal error', statusCode: 500 });
});

test('health answers and echoes the request id', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-1' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, 'ok');
  assert.equal(res.json().service, 'test');
  assert.equal(res.headers['x-request-id'], 'abc-1');
});

test('ready is 503 while a registered check fails and 200 once it passes', async (t) => {
  const app = await buildTestApp();
  let up = false;
  app.readiness.register('pool', () => (up ? true : 'pool starting'));
  t.after(() => app.close());
  const before = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(before.statusCode, 503);
  assert.deepEqual(before.json().checks.pool, { ok: false, reason: 'pool starting' });
  up = true;
  const after = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(after.statusCode, 200);
  assert.equal(after.json().status, 'ready');
});

test('metrics expose the request duration histogram by route and status', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  await app.inject({ method: 'POST', url: '/echo', payload: { items: [] } });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(
    res.body,
    /grpo_test_http_request_duration_seconds_count\{method="POST",route="\/echo",status_code="200"\} 1/,
  );
});

test('openapi.json lists the routes with their schemas and docs are served', async (t) => {
  const app = await buildTestApp();
  t.after(() => app.close());
  const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.equal(spec.openapi, '3.1.0');
  assert.ok(spec.paths['/echo'].post.requestBody);
  assert.ok(spec.paths['/health']);
  // Open by default (metricsAuth off), so the document says so.
  assert.deepEqual(spec.paths['/metrics'].get.security, []);
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger/i);
});

test('a saturated event loop sheds requests with 503 and Retry-After but keeps health up', async (t) => {
  const app = await buildTestApp({ maxEventLoopDelayMs: 150 });
  t.after(() => app.close());
  await app.ready();
  await sleep(50);
  const end = Date.now() + 500;
  while (Date.now() < end) {
    // Busy-wait on purpose: this is the saturation under test.
  }
  await sleep(5);
  assert.equal(app.loadState().overloaded, true);
  const res = await app.inject({ method: 'POST', url: '/echo', payload: { items: [] } });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'GRPO_OVERLOADED');
  assert.equal(res.headers['retry-after'], '1');
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  // Recovers once the loop is free again (polled: the shared CI machine may lag briefly).
  for (let i = 0; i < 50 && app.loadState().overloaded; i++) await sleep(100);
  const later = await app.inject({ method: 'POST', url: '/echo', payload: { items: [] } });
  assert.equal(later.statusCode, 200);
});

test('a real listen serves, and close lets an in-flight request finish', async (t) => {
  const app = await buildTestApp({ port: 0 });
  app.get('/slow', async () => {
    await sleep(200);
    return { done: true };
  });
  const server = await runServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5000, signals: [] });
  t.after(() => server.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
  const inflight = fetch(`${server.url}/slow`).then((r) => r.json());
  await sleep(50);
  const closed = server.close();
  assert.deepEqual(await inflight, { done: true });
  await closed;
  await assert.rejects(fetch(`${server.url}/health`));
});
