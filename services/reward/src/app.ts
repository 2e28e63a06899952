import type { RewardRegistry } from '@grpo/rewards';
import type { KitApp } from '@grpo/service-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { poolSize, type RewardConfig } from './config.js';
import { poolPlugin } from './plugins/pool.js';
import { rewardModelsPlugin } from './plugins/reward-models.js';
import { sandboxPlugin } from './plugins/sandbox.js';
import { createRewardMetrics } from './reward-metrics.js';
import { getRewardRoute } from './routes/get-reward.js';
import { rewardFunctionsRoute } from './routes/reward-functions.js';
import { rewardsRoute } from './routes/rewards.js';
import { runCodeRoute } from './routes/run-code.js';
import { sandboxRunRoute } from './routes/sandbox-run.js';
import { RewardScorer } from './scorer.js';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The registry module workers load unless told otherwise: every built-in function. */
export const DEFAULT_REGISTRY_MODULE = new URL(`./default-registry-module${ext}`, import.meta.url).href;

export interface RewardAppOptions {
  config: Readonly<RewardConfig>;
  /**
   * URL of a module exporting `createRegistry()`. The app and every pool worker build
   * their registry from it, so custom cpu functions run in the pool. Default: built-ins.
   */
  registryModule?: string;
  /**
   * A registry object instead of a module. Without `registryModule` the cpu functions
   * then run inline on the event loop (no pool, no hard timeout): meant for tests and
   * embedding, not for serving.
   */
  registry?: RewardRegistry;
}

interface RegistryModule {
  createRegistry(): RewardRegistry;
}

/**
 * The reward service as a fastify plugin: the worker pool and the routes. Register it on a
 * service-kit app (`createServer`); it never listens.
 */
export const rewardApp = fp(
  async (fastify: FastifyInstance, opts: RewardAppOptions) => {
    const app = fastify as unknown as KitApp;
    const { config } = opts;
    const inline = opts.registry !== undefined && opts.registryModule === undefined;
    const registryModule = opts.registryModule ?? DEFAULT_REGISTRY_MODULE;
    const registry = opts.registry ?? ((await import(registryModule)) as RegistryModule).createRegistry();
    if (!inline) await app.register(poolPlugin, { workers: poolSize(config), registryModule });
    await app.register(sandboxPlugin, { registry });
    await app.register(rewardModelsPlugin, { registry });
    const observer = createRewardMetrics(app.metrics.registry);
    const scorer = new RewardScorer(registry, inline ? undefined : app.cpuPool, config, observer);

    rewardsRoute(app, scorer, config, observer);
    rewardFunctionsRoute(app, registry);
    getRewardRoute(app, scorer, config, observer);
    runCodeRoute(app);
    sandboxRunRoute(app, config);
  },
  { name: 'grpo-reward-app', fastify: '5.x', dependencies: ['grpo-health', 'grpo-metrics', 'grpo-access'] },
);
