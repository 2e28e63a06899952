import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RewardsResponse } from '@grpo/contracts';
import type { KitApp } from '@grpo/service-kit';
import { buildTestRewardApp } from './helpers/app.js';

let app: KitApp;
before(async () => {
  app = await buildTestRewardApp();
});
after(() => app.close());

async function score(payload: unknown): Promise<RewardsResponse> {
  const res = await app.inject({ method: 'POST', url: '/v1/rewards', payload: payload as object });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

test('a batch gets weighted totals and per-component statuses', async () => {
  const out = await score({
    items: [
      { id: 'a', prompt: 'p', completion: '<answer>4', reference: '<answer>4' },
      { id: 'b', prompt: 'p', completion: 'no tag', reference: { answer: 'x' } },
      { id: 'c', prompt: 'p', completion: '' },
    ],
    rewards: [{ name: 'contains', weight: 2 }, { name: 'matches_reference' }],
  });
  const [a, b, c] = out.results;
  assert.equal(a?.id, 'a');
  assert.equal(a?.total, 3);
  assert.deepEqual(
    a?.components.map((x) => [x.name, x.status, x.score, x.weighted]),
    [
      ['contains', 'ok', 1, 2],
      ['matches_reference', 'ok', 1, 1],
    ],
  );
  assert.deepEqual(a?.components[1]?.details, { answer: '<answer>4' });
  assert.deepEqual(
    b?.components.map((x) => x.status),
    ['wrong', 'wrong'],
  );
  assert.equal(b?.total, 0);
  assert.deepEqual(
    c?.components.map((x) => [x.status, x.reason]),
    [
      ['unparseable', 'empty'],
      ['not_applicable', 'no_reference'],
    ],
  );
  assert.equal(out.stats.items, 3);
  assert.equal(out.stats.components, 6);
  assert.equal(out.stats.workers, 2);
});

test('an empty batch returns no results', async () => {
  const out = await score({ items: [], rewards: [{ name: 'contains' }] });
  assert.deepEqual(out.results, []);
  assert.equal(out.stats.items, 0);
});

test('a function that throws on one item makes only that component an error', async () => {
  const out = await score({
    items: [
      { id: 'ok', prompt: '', completion: '<answer>' },
      { id: 'bad', prompt: '', completion: 'THROW <answer>' },
    ],
    rewards: [{ name: 'hazard' }, { name: 'contains' }],
  });
  assert.equal(out.results[0]?.total, 1.5);
  const bad = out.results[1]!;
  assert.equal(bad.components[0]?.status, 'error');
  assert.equal(bad.components[0]?.reason, 'exception');
  assert.deepEqual(bad.components[0]?.details, { message: 'RangeError: bad item' });
  assert.equal(bad.components[1]?.status, 'ok');
  assert.equal(bad.total, 1);
  assert.equal(out.stats.errors, 1);
});

test('a non-finite score becomes an error instead of a NaN total', async () => {
  const out = await score({
    items: [{ id: 'n', prompt: '', completion: 'NAN' }],
    rewards: [{ name: 'hazard' }],
  });
  assert.equal(out.results[0]?.components[0]?.status, 'error');
  assert.equal(out.results[0]?.components[0]?.reason, 'bad_result');
  assert.equal(out.results[0]?.total, 0);
});

test('an item that hangs ends as a timeout and the rest of its chunk still scores', async () => {
  const items = Array.from({ length: 12 }, (_, i) => ({
    id: `i${i}`,
    prompt: '',
    completion: i === 7 ? 'HANG' : '<answer>',
  }));
  const out = await score({ items, rewards: [{ name: 'hazard' }] });
  const hung = out.results[7]!.components[0]!;
  assert.equal(hung.status, 'error');
  assert.equal(hung.reason, 'timeout');
  assert.equal(out.results[7]!.total, 0);
  for (const [i, r] of out.results.entries()) if (i !== 7) assert.equal(r.total, 0.5, `item ${i}`);
  assert.equal(out.stats.timeouts, 1);
  assert.ok(out.stats.retriedItems >= 1);
});

test('the pool keeps serving after a worker was terminated', async () => {
  await score({ items: [{ id: 'h', prompt: '', completion: 'HANG' }], rewards: [{ name: 'hazard' }] });
  const out = await score({
    items: [{ id: 'x', prompt: '', completion: 'fine' }],
    rewards: [{ name: 'hazard' }],
  });
  assert.equal(out.results[0]?.total, 0.5);
});

test('async functions run on the loop with a timeout and a rejection becomes an error', async () => {
  const out = await score({
    items: [
      { id: 'a', prompt: '', completion: 'fine' },
      { id: 'b', prompt: '', completion: 'NEVER' },
      { id: 'c', prompt: '', completion: 'REJECT' },
    ],
    rewards: [{ name: 'remote', weight: 0.5, params: { delayMs: 5 } }],
  });
  assert.deepEqual(
    out.results.map((r) => [r.total, r.components[0]?.status, r.components[0]?.reason]),
    [
      [1, 'ok', undefined],
      [0, 'error', 'timeout'],
      [0, 'error', 'exception'],
    ],
  );
});

test('a completion over maxCompletionChars is an error item, not a failed batch', async (t) => {
  const small = await buildTestRewardApp({ maxCompletionChars: 10 });
  t.after(() => small.close());
  const res = await small.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: {
      items: [
        { id: 'long', prompt: '', completion: '<answer> and much more' },
        { id: 'short', prompt: '', completion: '<answer>' },
      ],
      rewards: [{ name: 'contains' }],
    },
  });
  assert.equal(res.statusCode, 200);
  const [long, short] = res.json().results;
  assert.equal(long.components[0].reason, 'completion_too_long');
  assert.equal(short.total, 1);
});

test('the function list has names, kinds and JSON param schemas', async () => {
  const res = await app.inject({ method: 'GET', url: '/v1/reward-functions' });
  assert.equal(res.statusCode, 200);
  const fns = res.json().functions as { name: string; kind: string; params: { properties: object } }[];
  assert.deepEqual(
    fns.map((f) => [f.name, f.kind]),
    [
      ['contains', 'cpu'],
      ['hazard', 'cpu'],
      ['matches_reference', 'cpu'],
      ['remote', 'async'],
    ],
  );
  assert.deepEqual(fns[0]?.params.properties, { text: { default: '<answer>', type: 'string' } });
});

test('ready reports the pool', async () => {
  const res = await app.inject({ method: 'GET', url: '/ready' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json().checks.pool, { ok: true });
});
