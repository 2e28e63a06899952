import { closeSandboxPool, getSandboxPool, type RewardRegistry, warmCodeSandbox } from '@grpo/rewards';
import { Gauge } from '@grpo/service-kit';
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
    if (!opts.registry.get('code')) return;
    await warmCodeSandbox();
    app.addHook('onClose', async () => closeSandboxPool());
    // Read at scrape time: the shared pool's workers and how many were replaced after dying
    // (a crash, or a program that broke its memory or time limit).
    const stats = () => getSandboxPool().stats();
    for (const [key, help] of [
      ['workers', 'Code sandbox worker processes.'],
      ['busy', 'Code sandbox workers running a program.'],
      ['queued', 'Programs waiting for a code sandbox worker.'],
      ['restarts', 'Code sandbox workers started to replace one that died or was killed (since start).'],
    ] as const) {
      new Gauge({
        name: `grpo_reward_sandbox_${key}`,
        help,
        registers: [app.metrics.registry],
        collect() {
          this.set(stats()[key]);
        },
      });
    }
  },
  { name: 'grpo-reward-sandbox', fastify: '5.x' },
);
