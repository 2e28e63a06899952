import { Type } from '@sinclair/typebox';
import { createServer, type KitApp, KitConfig, loadConfig } from '../src/index.js';

/** A small app with one validated route, for the kit's tests. */
export async function buildTestApp(overrides: Record<string, unknown> = {}): Promise<KitApp> {
  const config = loadConfig(KitConfig, { prefix: 'TEST_', env: {}, overrides });
  const app = await createServer({
    service: 'test',
    version: '0.0.1',
    config,
    logger: false,
    defaultMetrics: false,
  });
  app.post(
    '/echo',
    {
      schema: {
        body: Type.Object(
          { items: Type.Array(Type.Object({ id: Type.String(), n: Type.Integer() }), { maxItems: 3 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ count: Type.Integer() }) },
      },
    },
    async (request) => ({ count: request.body.items.length }),
  );
  return app;
}
