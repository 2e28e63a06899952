import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KitApp } from '@grpo/service-kit';
import { buildTestRewardApp } from './helpers/app.js';

let app: KitApp;
before(async () => {
  app = await buildTestRewardApp({ maxItems: 5, bodyLimitBytes: 4096 });
});
after(() => app.close());

const item = { id: 'a', prompt: 'p', completion: '<answer>' };

async function expectError(payload: string | object, status: number, code: string, field: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    headers: { 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  assert.equal(res.statusCode, status, res.body);
  const { error } = res.json();
  assert.equal(error.code, code);
  assert.equal(error.field, field);
  assert.equal(error.statusCode, status);
  // The service keeps serving after every bad request.
  const ok = await app.inject({
    method: 'POST',
    url: '/v1/rewards',
    payload: { items: [item], rewards: [{ name: 'contains' }] },
  });
  assert.equal(ok.statusCode, 200);
  return error as { message: string };
}

test('malformed JSON is 400 GRPO_BAD_JSON on body', async () => {
  await expectError('{"items": [', 400, 'GRPO_BAD_JSON', 'body');
});

test('a completion of the wrong type is 400 naming items[0].completion', async () => {
  await expectError(
    { items: [{ ...item, completion: 42 }], rewards: [{ name: 'contains' }] },
    400,
    'GRPO_VALIDATION',
    'items[0].completion',
  );
});

test('a missing id is 400 naming items[1].id', async () => {
  await expectError(
    { items: [item, { prompt: '', completion: '' }], rewards: [{ name: 'contains' }] },
    400,
    'GRPO_VALIDATION',
    'items[1].id',
  );
});

test('a weight that is not a number is 400 naming rewards[0].weight', async () => {
  await expectError(
    { items: [item], rewards: [{ name: 'contains', weight: 'high' }] },
    400,
    'GRPO_VALIDATION',
    'rewards[0].weight',
  );
});

test('an empty reward spec is 400 naming rewards', async () => {
  await expectError({ items: [item], rewards: [] }, 400, 'GRPO_VALIDATION', 'rewards');
});

test('an unknown reward name is 400 listing the valid names', async () => {
  const error = await expectError(
    { items: [item], rewards: [{ name: 'contains' }, { name: 'acuracy' }] },
    400,
    'GRPO_REWARD_UNKNOWN_FN',
    'rewards[1].name',
  );
  assert.match(error.message, /valid names: contains, hazard, matches_reference, remote/);
});

test('params of the wrong type are 400 naming the param', async () => {
  await expectError(
    { items: [item], rewards: [{ name: 'contains', params: { text: 3 } }] },
    400,
    'GRPO_REWARD_BAD_PARAMS',
    'rewards[0].params.text',
  );
});

test('a body over bodyLimitBytes is 413', async () => {
  await expectError(
    { items: [{ ...item, completion: 'x'.repeat(5000) }], rewards: [{ name: 'contains' }] },
    413,
    'GRPO_BODY_TOO_LARGE',
    'body',
  );
});

test('more items than maxItems is 400 naming items', async () => {
  const error = await expectError(
    {
      items: Array.from({ length: 6 }, (_, i) => ({ ...item, id: String(i) })),
      rewards: [{ name: 'contains' }],
    },
    400,
    'GRPO_REWARD_TOO_MANY_ITEMS',
    'items',
  );
  assert.match(error.message, /limit is 5/);
});

test('an unknown top-level field is 400 naming it', async () => {
  await expectError(
    { items: [item], rewards: [{ name: 'contains' }], extra: 1 },
    400,
    'GRPO_VALIDATION',
    'extra',
  );
});
