import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRewardServer, loadRewardConfig } from '../src/index.js';
import { createRegistry } from './helpers/test-registry.js';

test('a registry object without a module scores inline with no pool', async (t) => {
  const config = loadRewardConfig({ logLevel: 'silent' }, {});
  const app = await buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registry: createRegistry(),
  });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: {
      items: [{ id: 'a', prompt: '', completion: '<answer>' }],
      rewards: [{ name: 'contains', weight: 3 }],
    },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().results[0].total, 3);
  assert.equal(res.json().stats.workers, 0);
  const ready = await app.inject({ method: 'GET', url: '/ready' });
  assert.deepEqual(ready.json(), { status: 'ready', checks: {} });
});

test('scoring requests are counted in the metrics by route and status', async (t) => {
  const config = loadRewardConfig({ logLevel: 'silent' }, {});
  const app = await buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registry: createRegistry(),
  });
  t.after(() => app.close());
  await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: { items: [], rewards: [{ name: 'nope' }] },
  });
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(
    metrics,
    /grpo_reward_http_request_duration_seconds_count\{method="POST",route="\/v1\/rewards",status_code="400"\} 1/,
  );
});
