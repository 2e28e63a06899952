import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApiText, rewardOpenApi } from '../src/index.js';

const committed = new URL('../../../openapi/reward.json', import.meta.url);

test('openapi/reward.json matches the route schemas (regenerate with npm run openapi)', async () => {
  const generated = openApiText(await rewardOpenApi());
  const onDisk = readFileSync(committed, 'utf8');
  assert.equal(
    onDisk,
    generated,
    'openapi/reward.json is stale: run `npm run openapi` and commit the result',
  );
});

test('the document describes every public route with its error shape', async () => {
  const spec = (await rewardOpenApi()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    '/get_reward',
    '/health',
    '/metrics',
    '/ready',
    '/v1/reward-functions',
    '/v1/rewards',
  ]);
  assert.ok(spec.paths['/v1/rewards']?.post?.responses['400']);
  assert.ok(spec.paths['/v1/rewards']?.post?.responses['413']);
});
