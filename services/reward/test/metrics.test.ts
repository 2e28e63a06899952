import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestRewardApp } from './helpers/app.js';

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('per-function counters by status and worker-measured latencies reach /metrics', async (t) => {
  const app = await buildTestRewardApp({ itemTimeoutMs: 300 });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: {
      items: [
        { id: 'a', prompt: 'p', completion: '<answer>1', reference: '<answer>1' },
        { id: 'b', prompt: 'p', completion: 'x' },
        { id: 'c', prompt: 'p', completion: '' },
        { id: 'd', prompt: 'p', completion: 'HANG' },
      ],
      rewards: [{ name: 'contains' }, { name: 'matches_reference' }, { name: 'hazard' }, { name: 'remote' }],
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.equal(value(text, 'grpo_reward_components_total{fn="contains",status="ok"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="contains",status="wrong"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="contains",status="unparseable"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="matches_reference",status="ok"}'), 1);
  assert.equal(
    value(text, 'grpo_reward_components_total{fn="matches_reference",status="not_applicable"}'),
    2,
  );
  // The hanging item's whole row ends as error/timeout: every cpu function of it counts an error.
  assert.equal(value(text, 'grpo_reward_components_total{fn="contains",status="error"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="hazard",status="error"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="hazard",status="ok"}'), 3);
  assert.equal(value(text, 'grpo_reward_components_total{fn="remote",status="ok"}'), 4);
  // The hanging item's worker was killed, so no run time came back for it (3 of 4 observed);
  // the async function is timed on the loop.
  assert.equal(value(text, 'grpo_reward_fn_seconds_count{fn="hazard"}'), 3);
  assert.equal(value(text, 'grpo_reward_fn_seconds_count{fn="remote"}'), 4);
  const hazardSum = value(text, 'grpo_reward_fn_seconds_sum{fn="hazard"}')!;
  assert.ok(hazardSum >= 0 && hazardSum < 0.3, `hazard ran ${hazardSum} s`);
  assert.equal(value(text, 'grpo_reward_fn_seconds_bucket{le="10",fn="remote"}'), 4);
  assert.equal(value(text, 'grpo_reward_request_items_count'), 1);
  assert.equal(value(text, 'grpo_reward_request_items_bucket{le="8"}'), 1);
  assert.equal(value(text, 'grpo_reward_request_items_bucket{le="1"}'), 0);
});

test('OpenRLHF queries are counted per function too', async (t) => {
  const app = await buildTestRewardApp();
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/get_reward',
    payload: { query: ['a', 'b'], labels: ['a', 'z'] },
  });
  assert.equal(res.statusCode, 200, res.body);
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.equal(value(text, 'grpo_reward_components_total{fn="matches_reference",status="ok"}'), 1);
  assert.equal(value(text, 'grpo_reward_components_total{fn="matches_reference",status="wrong"}'), 1);
  assert.equal(value(text, 'grpo_reward_request_items_sum'), 2);
});
