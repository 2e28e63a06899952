import { type KitApp, parseRootList } from '@grpo/service-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createAlgorithmStepper } from './algorithm/index.js';
import type { TrainerConfig } from './config.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventsRoute } from './routes/events.js';
import { runsRoutes } from './routes/runs.js';
import { parseServiceOrigins } from './run/confine.js';
import { RunManager, type RunManagerOptions } from './run/manager.js';

declare module 'fastify' {
  interface FastifyInstance {
    runs: RunManager;
  }
}

export interface TrainerAppOptions {
  config: Readonly<TrainerConfig>;
  /** Replaces the HTTP rollout/reward services (tests). */
  services?: RunManagerOptions['services'];
}

/**
 * The trainer service as a fastify plugin: the run manager, the runs routes, the SSE stream and
 * the dashboard. On close, an active run is stopped at a step boundary and checkpointed.
 */
export const trainerApp = fp(
  async (fastify: FastifyInstance, opts: TrainerAppOptions) => {
    const app = fastify as unknown as KitApp;
    const { config } = opts;
    const manager = new RunManager({
      runsDir: config.runsDir,
      executionProvider: config.executionProvider,
      dataRoots: parseRootList(config.dataRoot),
      modelRoots: parseRootList(config.modelRoot),
      serviceOrigins: parseServiceOrigins(config.serviceOrigins),
      serviceTimeoutMs: config.serviceTimeoutMs,
      rolloutApiKey: config.rolloutApiKey || undefined,
      rewardApiKey: config.rewardApiKey || undefined,
      serviceRetries: config.serviceRetries,
      serviceBackoffMs: config.serviceBackoffMs,
      serviceMaxBackoffMs: config.serviceMaxBackoffMs,
      algorithms: createAlgorithmStepper,
      services: opts.services,
      log: app.log,
    });
    app.decorate('runs', manager);
    // Runs already in the runs directory (completed, stopped, failed) are listed from the start.
    await manager.loadPast();
    app.addHook('onClose', async () => manager.close());
    runsRoutes(app, manager);
    eventsRoute(app, manager, { heartbeatMs: config.sseHeartbeatMs, maxClients: config.maxSseClients });
    dashboardRoutes(app);
    if (config.resume) {
      app.addHook('onReady', async () => {
        await manager.create({ resume: config.resume }, { trusted: true });
      });
    }
  },
  { name: 'grpo-trainer-app', fastify: '5.x', dependencies: ['grpo-health'] },
);
