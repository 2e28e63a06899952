import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createRolloutClient, createTrainerClient, ServiceClientError } from '../src/index.js';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: Buffer;
  at: number;
}
type Answer = (
  seen: Seen,
  call: number,
) => { status: number; body: unknown; headers?: Record<string, string> };

/** A loopback server that records each request and answers with `answer`. */
async function serve(t: { after: (fn: () => unknown) => void }, answer: Answer) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      seen.push(s);
      const a = answer(s, seen.length);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const KEY = 'a-test-key-0123456789';

test('the rollout client sends the key, waits for Retry-After on a 429 and resends the body', async (t) => {
  const reply = {
    model: 'm',
    policyVersion: 1,
    seed: 3,
    groups: [],
    usage: { promptTokens: 0, completionTokens: 0 },
  };
  const { url, seen } = await serve(t, (_s, call) =>
    call === 1
      ? {
          status: 429,
          body: { error: { code: 'GRPO_RATE_LIMITED', message: 'later', statusCode: 429 } },
          headers: { 'retry-after': '1' },
        }
      : { status: 200, body: reply },
  );
  const client = createRolloutClient({ baseUrl: url, apiKey: KEY, retries: 2, backoffMs: 1 });
  const body = { prompts: [{ text: 'hi' }], groupSize: 2, seed: 3 };
  assert.deepEqual(await client.rollouts(body), reply);
  assert.equal(seen.length, 2);
  assert.ok(seen[1]!.at - seen[0]!.at >= 950, `waited ${seen[1]!.at - seen[0]!.at} ms`);
  for (const s of seen) {
    assert.deepEqual([s.method, s.url, s.authorization], ['POST', '/v1/rollouts', `Bearer ${KEY}`]);
    assert.deepEqual(JSON.parse(s.body.toString()), body);
  }
});

test('the rollout client uploads weights as octet-stream bytes', async (t) => {
  const { url, seen } = await serve(t, () => ({
    status: 200,
    body: { version: 2, previousVersion: 1, model: 'm' },
  }));
  const client = createRolloutClient({ baseUrl: url, retries: 0 });
  const bytes = new Uint8Array([1, 2, 3, 250]);
  assert.deepEqual(await client.uploadWeights(bytes), { version: 2, previousVersion: 1, model: 'm' });
  assert.deepEqual(
    [seen[0]!.method, seen[0]!.url, seen[0]!.contentType],
    ['PUT', '/v1/policy/weights', 'application/octet-stream'],
  );
  assert.deepEqual([...seen[0]!.body], [1, 2, 3, 250]);
});

test('the trainer client puts the run id in the path, the query in the URL, and a 409 is not retried', async (t) => {
  const status = { id: 'a b', state: 'running' };
  const { url, seen } = await serve(t, (s) =>
    s.method === 'POST' && s.url === '/v1/runs'
      ? {
          status: 409,
          body: { error: { code: 'GRPO_TRAINER_BUSY', message: 'a run is training', statusCode: 409 } },
        }
      : { status: 200, body: s.url.includes('/metrics') ? { id: 'a b', rows: [], evals: [] } : status },
  );
  const client = createTrainerClient({ baseUrl: url, apiKey: KEY, retries: 3, backoffMs: 1 });
  assert.deepEqual(await client.getRun('a b'), status);
  assert.deepEqual((await client.metrics('a b', { since: '4', limit: '10' })).rows, []);
  await assert.rejects(
    client.createRun({ resume: '/runs/r1' }),
    (e: unknown) => e instanceof ServiceClientError && e.code === 'GRPO_TRAINER_BUSY' && e.statusCode === 409,
  );
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url}`),
    ['GET /v1/runs/a%20b', 'GET /v1/runs/a%20b/metrics?since=4&limit=10', 'POST /v1/runs'],
  );
});
