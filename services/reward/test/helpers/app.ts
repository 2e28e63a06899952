import type { KitApp } from '@grpo/service-kit';
import { buildRewardServer, loadRewardConfig } from '../../src/index.js';

export const TEST_REGISTRY_MODULE = new URL('./test-registry.ts', import.meta.url).href;

/** A reward app on the test registry with a real 2-worker pool and short budgets. */
export function buildTestRewardApp(overrides: Record<string, unknown> = {}): Promise<KitApp> {
  const config = loadRewardConfig(
    {
      workers: 2,
      itemTimeoutMs: 400,
      logLevel: 'silent',
      getRewardSpec: [{ name: 'matches_reference' }, { name: 'contains', weight: 0.5 }],
      ...overrides,
    },
    {},
  );
  return buildRewardServer({
    config,
    logger: false,
    defaultMetrics: false,
    registryModule: TEST_REGISTRY_MODULE,
  });
}
