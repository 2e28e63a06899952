import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { RunStatus } from '@grpo/contracts';
import { loadTrainerConfig, parseServiceOrigins } from '../src/index.js';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** A real HTTP server on loopback that records every request and answers with `reply`. */
async function server(
  t: import('node:test').TestContext,
  reply: (res: http.ServerResponse) => void,
): Promise<{ origin: string; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => reply(res));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => s.close(() => r())));
  const { port } = s.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}

const evalRun = (rolloutUrl: string, rewardUrl: string) =>
  sftRunConfig(2, { stages: [{ type: 'eval', evalCount: 2 }], rolloutUrl, rewardUrl } as never);

const ROLLOUT_KEY = 'rollout-key-0123456789abcdef';

test('service URLs outside the allowed origins are 403 with the field, before anything is called or created', async (t) => {
  const runs = await tempDir(t);
  const peer = await server(t, (res) => res.end('{}'));
  const open = await trainerApp(t, runs, { rolloutApiKey: ROLLOUT_KEY });
  const local = peer.origin;
  const cases: [string, string, number, string, RegExp][] = [
    // rolloutUrl, rewardUrl, status, field, message
    [
      'http://grpo-rollout.example:8002',
      local,
      403,
      'rolloutUrl',
      /not on this machine.*GRPO_TRAINER_SERVICE_ORIGINS/,
    ],
    [local, 'http://10.0.0.7:8001', 403, 'rewardUrl', /not on this machine/],
    ['http://0.0.0.0:8002', local, 403, 'rolloutUrl', /not on this machine/],
    ['http://169.254.169.254/latest', local, 403, 'rolloutUrl', /not on this machine/],
    ['file:///etc/passwd', local, 400, 'rolloutUrl', /http or https/],
    [`http://user:pw@127.0.0.1:${peer.port}`, local, 400, 'rolloutUrl', /credentials/],
    [local, 'reward:8001', 400, 'rewardUrl', /http or https|not a URL/],
    [local, 'not a url', 400, 'rewardUrl', /not a URL/],
  ];
  for (const [rolloutUrl, rewardUrl, status, field, message] of cases) {
    const res = await open.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: evalRun(rolloutUrl, rewardUrl),
    });
    const body = res.json();
    assert.equal(res.statusCode, status, `${rolloutUrl} ${rewardUrl}: ${res.body}`);
    assert.equal(
      body.error.code,
      status === 403 ? 'GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED' : 'GRPO_TRAINER_BAD_CONFIG',
    );
    assert.equal(body.error.field, field);
    assert.match(body.error.message, message);
  }

  // An explicit list: only those origins, exactly (scheme, host and port).
  const listed = await trainerApp(t, runs, {
    serviceOrigins: `${local}, https://reward.internal`,
    serviceRetries: 0,
  });
  for (const [rolloutUrl, field] of [
    [`http://localhost:${peer.port}`, 'rolloutUrl'],
    [`http://127.0.0.1:${peer.port + 1}`, 'rolloutUrl'],
    [`https://127.0.0.1:${peer.port}`, 'rolloutUrl'],
  ] as const) {
    const res = await listed.inject({ method: 'POST', url: '/v1/runs', payload: evalRun(rolloutUrl, local) });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().error.field, field);
    assert.match(res.json().error.message, /not among the service origins this trainer allows/);
    // The allowed list itself is not echoed to the caller.
    assert.doesNotMatch(res.json().error.message, /reward\.internal/);
  }
  assert.deepEqual(await fs.readdir(runs), []);
  assert.deepEqual(peer.seen, [], 'a refused run calls no service');

  // The listed origin is accepted (path and default port spelled differently).
  const ok = await listed.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: evalRun(`${local}/`, 'https://reward.internal:443/v1'),
  });
  assert.equal(ok.statusCode, 201, ok.body);
  // It runs, and calls the allowed rollout origin (whose empty replies then fail it).
  await waitForState(listed, (ok.json() as RunStatus).id, ['failed', 'completed']);
  assert.ok(peer.seen.length >= 1);
});

test('a service that redirects is not followed: the run fails with the status and the key never reaches the target', async (t) => {
  const runs = await tempDir(t);
  const target = await server(t, (res) => res.end('{}'));
  const redirector = await server(t, (res) => {
    res.writeHead(307, { location: `${target.origin}/v1/rollouts` });
    res.end();
  });
  const app = await trainerApp(t, runs, { rolloutApiKey: ROLLOUT_KEY, serviceRetries: 0 });
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: evalRun(redirector.origin, target.origin),
  });
  assert.equal(res.statusCode, 201, res.body);
  const done = await waitForState(app, (res.json() as RunStatus).id, ['failed', 'completed'], 60_000);
  assert.equal(done.state, 'failed');
  assert.equal(done.error?.code, 'HTTP_307', JSON.stringify(done.error));
  assert.match(done.error?.message ?? '', /redirect.*not followed/);
  assert.ok(redirector.seen.length >= 1);
  assert.equal(redirector.seen[0]!.authorization, `Bearer ${ROLLOUT_KEY}`);
  assert.deepEqual(target.seen, [], 'the redirect target gets no request');
});

test('serviceOrigins: origins are normalised, `*` allows any, and a bad entry stops the trainer at start', () => {
  assert.deepEqual(parseServiceOrigins(' http://Rollout:8002 ,https://reward.internal:443/, *'), [
    'http://rollout:8002',
    'https://reward.internal',
    '*',
  ]);
  assert.deepEqual(parseServiceOrigins(''), []);
  for (const bad of ['rollout:8002', 'ftp://x', 'http://x/v1', 'http://u:p@x', 'http://x?a=1']) {
    assert.throws(
      () => loadTrainerConfig({ serviceOrigins: bad }, {}),
      (e: Error & { field?: string; envVar?: string }) =>
        e.name === 'ConfigError' &&
        e.field === 'serviceOrigins' &&
        e.envVar === 'GRPO_TRAINER_SERVICE_ORIGINS',
      bad,
    );
  }
});
