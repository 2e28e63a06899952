import { openApiDocument } from '@grpo/service-kit';
import { loadTrainerConfig } from './config.js';
import { buildTrainerServer } from './server.js';

/** The trainer's OpenAPI 3 document, generated from the route schemas. */
export async function trainerOpenApi(): Promise<Record<string, unknown>> {
  const config = loadTrainerConfig({ logLevel: 'silent' }, {});
  const app = await buildTrainerServer({ config, logger: false, defaultMetrics: false });
  try {
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
