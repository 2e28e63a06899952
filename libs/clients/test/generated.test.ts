import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLIENT_SERVICES, serviceTypesFile, serviceTypesText } from '../codegen/service-types.js';

const specFile = (service: string) => new URL(`../../../openapi/${service}.json`, import.meta.url);

for (const service of CLIENT_SERVICES) {
  test(`src/generated/${service}.generated.ts matches openapi/${service}.json (regenerate with npm run openapi)`, async () => {
    const spec = JSON.parse(readFileSync(specFile(service), 'utf8')) as Record<string, unknown>;
    assert.equal(
      readFileSync(serviceTypesFile(service), 'utf8'),
      await serviceTypesText(service, spec),
      `the generated ${service} client types are stale: run \`npm run openapi\` and commit the result`,
    );
  });

  test(`the generated ${service} types cover every path and operationId of its document`, () => {
    const spec = JSON.parse(readFileSync(specFile(service), 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const text = readFileSync(serviceTypesFile(service), 'utf8');
    for (const [route, ops] of Object.entries(spec.paths)) {
      assert.ok(text.includes(`"${route}": {`), route);
      for (const op of Object.values(ops)) assert.ok(text.includes(`${op.operationId}: {`), op.operationId);
    }
  });
}
