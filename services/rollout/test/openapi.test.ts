import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openApiText, rolloutOpenApi } from '../src/index.js';

const committed = new URL('../../../openapi/rollout.json', import.meta.url);

test('openapi/rollout.json matches the route schemas (regenerate with npm run openapi)', async () => {
  const generated = openApiText(await rolloutOpenApi());
  const onDisk = readFileSync(committed, 'utf8');
  assert.equal(
    onDisk,
    generated,
    'openapi/rollout.json is stale: run `npm run openapi` and commit the result',
  );
});

test('the document describes every public route with its error shape', async () => {
  const spec = (await rolloutOpenApi()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    '/health',
    '/metrics',
    '/ready',
    '/update_weights_from_disk',
    '/v1/chat/completions',
    '/v1/completions',
    '/v1/models',
    '/v1/policy',
    '/v1/policy/weights',
    '/v1/rollouts',
  ]);
  assert.ok(spec.paths['/v1/rollouts']?.post?.responses['400']);
  assert.ok(spec.paths['/v1/policy']?.put?.responses['400']);
});
