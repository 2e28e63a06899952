import { RewardRegistry } from '@grpo/rewards';
import { openApiDocument } from '@grpo/service-kit';
import { loadRewardConfig } from './config.js';
import { buildRewardServer } from './server.js';

/**
 * The service's OpenAPI 3 document, generated from the route schemas. It does not depend on
 * which reward functions are registered (params are listed at run time by
 * GET /v1/reward-functions), so an empty inline registry is enough and no pool starts.
 */
export async function rewardOpenApi(): Promise<Record<string, unknown>> {
  const config = loadRewardConfig({ logLevel: 'silent' }, {});
  const app = await buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registry: new RewardRegistry(),
  });
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
