import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { type RewardFunction, RewardRegistry } from '@grpo/rewards';
import { runServer } from '@grpo/service-kit';
import { Type } from '@sinclair/typebox';
import { buildRewardServer, loadRewardConfig } from '../src/index.js';

/**
 * An async function that hogs the main thread: `blocks` busy-waits of `blockMs`, yielding to
 * the loop between them so the server can still accept (and shed) requests meanwhile.
 */
const hog: RewardFunction<{ blocks: number; blockMs: number }> = {
  name: 'hog',
  description: 'Busy-waits on the event loop (load-shedding test).',
  params: Type.Object({ blocks: Type.Integer({ default: 10 }), blockMs: Type.Integer({ default: 100 }) }),
  kind: 'async',
  score: async (_item, p) => {
    for (let b = 0; b < p.blocks; b++) {
      const end = Date.now() + p.blockMs;
      while (Date.now() < end) {
        // Saturating the loop on purpose.
      }
      await yieldLoop();
    }
    return { score: 1, status: 'ok' };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a saturated event loop sheds scoring with 503 + Retry-After, health still answers, then it recovers', async (t) => {
  const config = loadRewardConfig(
    { port: 0, maxEventLoopDelayMs: 150, itemTimeoutMs: 30_000, logLevel: 'silent' },
    {},
  );
  const app = await buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registry: new RewardRegistry().register(hog),
    loadSampleIntervalMs: 20,
  });
  const server = await runServer(app, { host: '127.0.0.1', port: 0, shutdownTimeoutMs: 5_000, signals: [] });
  t.after(() => server.close());
  const url = server.url;

  // ~3 s of a hogged loop (blocks of 300 ms, twice the threshold). On a busy shared machine
  // the loop can lag past the threshold on its own, so the hog is re-sent until admitted.
  const hogOnce = () =>
    fetch(`${url}/v1/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ id: 'h', prompt: '', completion: '' }],
        rewards: [{ name: 'hog', params: { blocks: 10, blockMs: 300 } }],
      }),
    });
  const hogging = (async () => {
    for (let i = 0; i < 20; i++) {
      const res = await hogOnce();
      if (res.status !== 503) return res;
      await res.arrayBuffer();
      await sleep(200);
    }
    throw new Error('the hog request was never admitted');
  })();

  let shed: Response | undefined;
  let healthDuringOverload: number | undefined;
  for (let i = 0; i < 100 && !shed; i++) {
    await sleep(30);
    const res = await fetch(`${url}/v1/reward-functions`);
    if (res.status === 503) {
      shed = res;
      healthDuringOverload = (await fetch(`${url}/health`)).status;
    } else await res.arrayBuffer();
  }
  assert.ok(shed, 'no request was shed while the loop was saturated');
  assert.equal(shed.headers.get('retry-after'), '1');
  const body = (await shed.json()) as { error: { code: string; statusCode: number } };
  assert.equal(body.error.code, 'GRPO_OVERLOADED');
  assert.equal(body.error.statusCode, 503);
  assert.equal(healthDuringOverload, 200);

  // The admitted request still completes: shedding refuses new work, it does not drop work.
  const done = await hogging;
  assert.equal(done.status, 200);
  assert.equal(((await done.json()) as { results: Array<{ total: number }> }).results[0]?.total, 1);

  // Recovery: once the loop is free the next samples clear the overload.
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await sleep(50);
    const res = await fetch(`${url}/v1/reward-functions`);
    status = res.status;
    await res.arrayBuffer();
  }
  assert.equal(status, 200);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(
    metrics,
    /grpo_reward_rejected_requests_total\{reason="unavailable",status_code="503"\} [1-9]/,
  );
});
