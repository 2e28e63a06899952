import { openApiDocument } from '@grpo/service-kit';
import { loadRolloutConfig } from './config.js';
import { OpenAIEngine } from './engine/openai.js';
import { buildRolloutServer } from './server.js';

/**
 * The service's OpenAPI 3 document, generated from the route schemas. The routes do not depend on
 * the engine, so an openai engine pointing nowhere (never called) is enough and no model loads.
 */
export async function rolloutOpenApi(): Promise<Record<string, unknown>> {
  const config = loadRolloutConfig({ logLevel: 'silent' }, {});
  const engine = new OpenAIEngine({
    upstreams: ['http://127.0.0.1:9'],
    model: 'policy',
    tokenizer: null,
    timeoutMs: 1,
    retries: 0,
    backoffMs: 0,
    cooldownMs: 0,
  });
  const app = await buildRolloutServer({ config, engine, logger: false, defaultMetrics: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The committed file's text: stable key order from the routes, 2-space JSON, trailing newline. */
export function openApiText(spec: Record<string, unknown>): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
