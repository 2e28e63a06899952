import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CpuPool } from '../pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    cpuPool: CpuPool;
  }
}

export interface PoolPluginOptions {
  workers: number;
  registryModule: string;
}

/** The worker pool for cpu reward functions: one per app, destroyed on close. */
export const poolPlugin = fp(
  async (app: FastifyInstance, opts: PoolPluginOptions) => {
    const pool = new CpuPool({ workers: opts.workers, registryModule: opts.registryModule });
    app.decorate('cpuPool', pool);
    app.readiness.register('pool', () => (pool.threads > 0 ? true : 'no pool worker is up'));
    app.addHook('onClose', async () => pool.close());
  },
  { name: 'grpo-reward-pool', fastify: '5.x', dependencies: ['grpo-health'] },
);
