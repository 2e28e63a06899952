import type { KitApp } from '@grpo/service-kit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { RolloutConfig } from './config.js';
import type { RolloutEngine } from './engine/types.js';
import { instrumentEngine } from './metrics.js';
import { openAIRoutes } from './routes/openai-compat.js';
import { policyRoutes } from './routes/policy.js';
import { rolloutsRoute } from './routes/rollouts.js';
import { uploadRoute } from './routes/upload.js';

export interface RolloutAppOptions {
  config: Readonly<RolloutConfig>;
  engine: RolloutEngine;
  /** Called when the app closes (releases the engine the server built). */
  dispose?: () => Promise<void>;
}

/**
 * The rollout service as a fastify plugin: the engine's routes. Register it on a service-kit
 * app (`createServer`); it never listens.
 */
export const rolloutApp = fp(
  async (fastify: FastifyInstance, opts: RolloutAppOptions) => {
    const app = fastify as unknown as KitApp;
    const { config } = opts;
    const engine = instrumentEngine(app, opts.engine);
    rolloutsRoute(app, engine, config);
    policyRoutes(app, engine, opts.config);
    openAIRoutes(app, engine, config);
    uploadRoute(app, engine, config);
    if (opts.dispose) {
      const dispose = opts.dispose;
      app.addHook('onClose', async () => dispose());
    }
  },
  { name: 'grpo-rollout-app', fastify: '5.x' },
);
