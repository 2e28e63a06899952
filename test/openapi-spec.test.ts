// The committed OpenAPI documents against their own schemas and the project's conventions
// (README "OpenAPI conventions"); `npm run lint:openapi` runs Redocly's rules on the same files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { committedSpec, SERVICES, SpecCheck } from './openapi-check.js';

type Op = {
  operationId?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};

/** Bodies every document must show an example of: `METHOD path`, request or the first 2xx response. */
const MUST_HAVE_EXAMPLES: Record<string, string[]> = {
  reward: ['POST /v1/rewards request', 'POST /v1/rewards response', 'POST /get_reward request'],
  rollout: ['POST /v1/rollouts request', 'POST /v1/rollouts response', 'PUT /v1/policy request'],
  trainer: ['POST /v1/runs request', 'POST /v1/runs response', 'GET /v1/runs/{id} response'],
};

for (const service of SERVICES) {
  const check = new SpecCheck(committedSpec(service));
  const paths = check.doc.paths as Record<string, Record<string, Op>>;

  test(`every example in openapi/${service}.json satisfies its schema`, () => {
    const examples = check.examples();
    assert.ok(examples.length >= 5, `${service} has ${examples.length} examples`);
    for (const ex of examples) {
      assert.deepEqual(check.validate(ex.schema, ex.value), [], `${ex.at} against ${ex.schema}`);
    }
  });

  test(`the example check of ${service} rejects an example that breaks its schema`, () => {
    const ex = check
      .examples()
      .find((e) => typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value));
    assert.ok(ex, 'an object example');
    // Every object body of the documents has required properties; an empty object misses them.
    assert.notDeepEqual(check.validate(ex.schema, {}), [], `{} should fail ${ex.schema}`);
    assert.notDeepEqual(check.validate(ex.schema, 'not an object'), []);
  });

  test(`openapi/${service}.json shows examples of its main request and response bodies`, () => {
    for (const want of MUST_HAVE_EXAMPLES[service]!) {
      const [method, path, part] = want.split(' ') as [string, string, string];
      const op = paths[path]?.[method.toLowerCase()];
      assert.ok(op, want);
      const media =
        part === 'request'
          ? op.requestBody?.content['application/json']
          : Object.entries(op.responses).find(([s]) => s.startsWith('2'))?.[1].content?.['application/json'];
      assert.ok(media && 'example' in media, `${want} has an example`);
    }
  });

  test(`every ${service} operation has a unique operationId, a security requirement and a 4xx with the shared error body`, () => {
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.match(op.operationId ?? '', /^[a-z][A-Za-z0-9]*$/, `${where} operationId`);
        assert.ok(!ids.has(op.operationId!), `${where} repeats ${op.operationId}`);
        ids.add(op.operationId!);
        assert.ok(Array.isArray(op.security), `${where} declares security`);
        const open = ['/health', '/ready', '/metrics'].includes(path);
        assert.deepEqual(op.security, open ? [] : [{ bearerAuth: [] }], `${where} security`);
        const fourXX = Object.entries(op.responses).filter(([s]) => s.startsWith('4'));
        assert.ok(fourXX.length > 0, `${where} lists a 4xx`);
        for (const [status, res] of fourXX) {
          assert.equal(
            res.content?.['application/json']?.schema?.$ref,
            '#/components/schemas/ErrorBody',
            `${where} ${status}`,
          );
        }
        if (!open) assert.ok(op.responses['401'], `${where} documents 401`);
      }
    }
    assert.ok(ids.size >= 5);
  });
}

test('the three documents use one OpenAPI version, with servers and a license', () => {
  for (const service of SERVICES) {
    const doc = committedSpec(service) as {
      openapi: string;
      servers: { url: string }[];
      info: { license?: { name: string } };
    };
    assert.equal(doc.openapi, '3.1.0', service);
    assert.match(doc.servers[0]?.url ?? '', /^http:\/\/127\.0\.0\.1:800[123]$/, service);
    assert.equal(doc.info.license?.name, 'MIT', service);
  }
});

test('the response check refuses a wrong body, an unlisted status and an unknown path', () => {
  const check = new SpecCheck(committedSpec('reward'));
  const ok = JSON.stringify({ status: 'ok', service: 'reward', version: '1', uptimeS: 1 });
  assert.deepEqual(check.checkResponse('GET', '/health', 200, 'application/json; charset=utf-8', ok), []);
  const wrong = check.checkResponse(
    'GET',
    '/health',
    200,
    'application/json',
    JSON.stringify({ status: 'fine' }),
  );
  assert.ok(
    wrong.some((e) => e.includes('/status')),
    wrong.join('; '),
  );
  assert.match(check.checkResponse('POST', '/v1/rewards', 418, 'application/json', '{}')[0] ?? '', /418/);
  assert.match(check.checkResponse('POST', '/v1/rewards', 200, 'text/plain', 'x')[0] ?? '', /content type/);
  assert.match(
    check.checkResponse('GET', '/nope', 200, 'application/json', '{}')[0] ?? '',
    /not in the document/,
  );
  // An error reply must carry the shared error body.
  const err = check.checkResponse(
    'POST',
    '/v1/rewards',
    400,
    'application/json',
    JSON.stringify({ message: 'x' }),
  );
  assert.notDeepEqual(err, []);
});
