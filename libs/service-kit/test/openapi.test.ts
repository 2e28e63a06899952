import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { createServer, KitConfig, loadConfig, openApiDocument, operationIdFor } from '../src/index.js';

type Op = {
  operationId: string;
  security: unknown[];
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  requestBody?: { content: Record<string, { schema: { required?: string[] }; example?: unknown }> };
};
type Doc = {
  openapi: string;
  servers: { url: string }[];
  info: { license: unknown };
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, unknown> };
};

/** An app with one open-by-path route (/health from the kit), a scoped route, an unscoped one and a named one. */
async function buildDoc(extra?: (app: Awaited<ReturnType<typeof createServer>>) => void): Promise<Doc> {
  const config = loadConfig(KitConfig, { prefix: 'TEST_', env: {}, overrides: {} });
  const app = await createServer({
    service: 'test',
    version: '0.0.1',
    config,
    logger: false,
    defaultMetrics: false,
    defaultPort: 8123,
  });
  app.post(
    '/v1/jobs/:jobId/cancel-all',
    {
      config: { scope: 'admin' },
      schema: {
        body: Type.Object({ reason: Type.String(), force: Type.Boolean({ default: false }) }),
        response: { 200: Type.Object({ ok: Type.Boolean() }) },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/v1/things', { schema: { response: { 200: Type.Object({ n: Type.Integer() }) } } }, async () => ({
    n: 1,
  }));
  app.get('/named', { schema: { operationId: 'listNamedThings' } }, async () => ({}));
  extra?.(app);
  await app.ready();
  try {
    return openApiDocument(app) as unknown as Doc;
  } finally {
    await app.close();
  }
}

test('operationIds are derived from method and path: version prefix dropped, params as ById', () => {
  assert.equal(operationIdFor('POST', '/v1/rewards'), 'postRewards');
  assert.equal(operationIdFor('GET', '/v1/runs/:id/metrics'), 'getRunsByIdMetrics');
  assert.equal(operationIdFor('GET', '/v1/runs/{id}'), 'getRunsById');
  assert.equal(operationIdFor('POST', '/get_reward'), 'postGetReward');
  assert.equal(operationIdFor('GET', '/v1/reward-functions'), 'getRewardFunctions');
  assert.equal(operationIdFor('PUT', '/v1/policy/weights'), 'putPolicyWeights');
  assert.equal(operationIdFor('GET', '/health'), 'getHealth');
});

test('every operation gets an operationId, and a route schema operationId wins', async () => {
  const doc = await buildDoc();
  assert.equal(doc.paths['/v1/jobs/{jobId}/cancel-all']!.post!.operationId, 'postJobsByJobIdCancelAll');
  assert.equal(doc.paths['/v1/things']!.get!.operationId, 'getThings');
  assert.equal(doc.paths['/named']!.get!.operationId, 'listNamedThings');
  assert.equal(doc.paths['/health']!.get!.operationId, 'getHealth');
});

test('probes are open (security []) and every other route needs the bearer key with a 401', async () => {
  const doc = await buildDoc();
  for (const p of ['/health', '/ready']) {
    assert.deepEqual(doc.paths[p]!.get!.security, [], p);
    assert.ok(doc.paths[p]!.get!.responses['4XX'], `${p} lists a 4xx`);
  }
  const scoped = doc.paths['/v1/jobs/{jobId}/cancel-all']!.post!;
  assert.deepEqual(scoped.security, [{ bearerAuth: [] }]);
  assert.deepEqual(Object.keys(scoped.responses).sort(), ['200', '401', '403']);
  const unscoped = doc.paths['/v1/things']!.get!;
  assert.deepEqual(Object.keys(unscoped.responses).sort(), ['200', '401']);
  assert.equal(unscoped.responses['401']!.description, 'Unauthorized');
  assert.deepEqual(unscoped.responses['401']!.content!['application/json']!.schema, {
    $ref: '#/components/schemas/ErrorBody',
  });
  assert.ok(doc.components.schemas.ErrorBody);
});

test('the document is OpenAPI 3.1 with servers and a license', async () => {
  const doc = await buildDoc();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(
    doc.servers.map((s) => s.url),
    ['http://127.0.0.1:8123'],
  );
  assert.deepEqual(doc.info.license, { name: 'MIT', identifier: 'MIT' });
});

test('a request body property with a default is optional in the document (the validator fills it)', async () => {
  const doc = await buildDoc();
  const body = doc.paths['/v1/jobs/{jobId}/cancel-all']!.post!.requestBody!.content['application/json']!;
  assert.deepEqual(body.schema.required, ['reason']);
});

test('two routes that derive the same operationId fail the document build, naming both', async () => {
  await assert.rejects(
    buildDoc((app) => {
      app.get('/v2/things', async () => ({}));
    }),
    /operationId "getThings" of GET \/v2\/things is also used by GET \/v1\/things|operationId "getThings" of GET \/v1\/things is also used by GET \/v2\/things/,
  );
});
