import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { trainerOpenApi } from '../src/index.js';

const committed = new URL('../../../openapi/trainer.json', import.meta.url);
const text = (spec: Record<string, unknown>) => `${JSON.stringify(spec, null, 2)}\n`;

test('openapi/trainer.json matches the route schemas (regenerate with npm run openapi)', async () => {
  assert.equal(
    readFileSync(committed, 'utf8'),
    text(await trainerOpenApi()),
    'openapi/trainer.json is stale: run `npm run openapi` and commit the result',
  );
});

test('the document lists the runs routes with their error shapes and hides the dashboard', async () => {
  const spec = (await trainerOpenApi()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  assert.deepEqual(Object.keys(spec.paths).sort(), [
    '/health',
    '/metrics',
    '/ready',
    '/v1/runs',
    '/v1/runs/{id}',
    '/v1/runs/{id}/events',
    '/v1/runs/{id}/metrics',
    '/v1/runs/{id}/stop',
  ]);
  assert.ok(spec.paths['/v1/runs']?.post?.responses['400']);
  assert.ok(spec.paths['/v1/runs']?.post?.responses['409']);
  assert.ok(spec.paths['/v1/runs/{id}']?.get?.responses['404']);
});
