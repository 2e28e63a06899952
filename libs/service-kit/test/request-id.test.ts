import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, KitConfig, loadConfig } from '../src/index.js';

const KEY = 'log-test-key-0123456789';

/** An app logging JSON lines into `lines`, with one route that logs on its own. */
async function buildLoggingApp(lines: Array<Record<string, unknown>>) {
  const config = loadConfig(KitConfig, {
    prefix: 'TEST_',
    env: {},
    overrides: { logLevel: 'info', apiKeys: `ci:${KEY}` },
  });
  const app = await createServer({
    service: 'test',
    version: '0',
    config,
    defaultMetrics: false,
    logStream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  app.get('/v1/work', async (request) => {
    request.log.info({ step: 'scoring' }, 'working');
    return { ok: true };
  });
  await app.ready();
  return app;
}

test('an incoming x-request-id is echoed and is on every log line of the request', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const app = await buildLoggingApp(lines);
  t.after(() => app.close());
  const res = await app.inject({
    method: 'GET',
    url: '/v1/work',
    headers: { 'x-request-id': 'trainer-step-42.7', authorization: `Bearer ${KEY}` },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['x-request-id'], 'trainer-step-42.7');
  const mine = lines.filter((l) => l.reqId === 'trainer-step-42.7');
  const messages = mine.map((l) => l.msg);
  assert.ok(messages.includes('incoming request'), String(messages));
  assert.ok(messages.includes('working'), String(messages));
  assert.ok(messages.includes('request completed'), String(messages));
  // The handler's line also names the key, never the key itself.
  assert.equal(mine.find((l) => l.msg === 'working')?.apiKey, 'ci');
  assert.ok(!JSON.stringify(lines).includes(KEY));
  // Every line logged during a request carries its id.
  assert.ok(
    lines.filter((l) => l.req !== undefined || l.res !== undefined).every((l) => typeof l.reqId === 'string'),
  );
});

test('a request without an id, or with an implausible one, gets a fresh UUID', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const app = await buildLoggingApp(lines);
  t.after(() => app.close());
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const plain = await app.inject({ method: 'GET', url: '/health' });
  assert.match(String(plain.headers['x-request-id']), uuid);
  const injected = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'x\nfake log line' },
  });
  assert.match(String(injected.headers['x-request-id']), uuid);
  assert.ok(lines.some((l) => l.reqId === injected.headers['x-request-id']));
});

test('a 401 is logged with the request id and its code', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const app = await buildLoggingApp(lines);
  t.after(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/v1/work', headers: { 'x-request-id': 'r-401' } });
  assert.equal(res.statusCode, 401);
  const line = lines.find((l) => l.reqId === 'r-401' && l.code === 'GRPO_UNAUTHORIZED');
  assert.ok(line, JSON.stringify(lines.filter((l) => l.reqId === 'r-401')));
});
