import { closeSandboxPool, type RewardRegistry, warmCodeSandbox } from '@grpo/rewards';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SandboxPluginOptions {
  registry: RewardRegistry;
}

/**
 * The code sandbox's worker processes, when the registry serves `code`: started before the
 * service reports ready (forking them takes a second or more, which would otherwise come out
 * of the first request's time budget) and stopped on close.
 */
export const sandboxPlugin = fp(
  async (app: FastifyInstance, opts: SandboxPluginOptions) => {
    // POST /v1/sandbox/run uses the same pool (started on its first call without `code`).
    app.addHook('onClose', async () => closeSandboxPool());
    if (!opts.registry.get('code')) return;
    await warmCodeSandbox();
  },
  { name: 'grpo-reward-sandbox', fastify: '5.x' },
);
