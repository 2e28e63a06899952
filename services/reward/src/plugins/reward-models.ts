import { closeRewardModels, type RewardRegistry, warmRewardModels } from '@grpo/rewards';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface RewardModelsPluginOptions {
  registry: RewardRegistry;
}

/**
 * The ONNX reward models named in `GRPO_REWARD_MODELS`, when the registry serves
 * `reward_model`: loaded before the service reports ready (a malformed table or a folder
 * that does not load stops the start with its error, instead of failing every request), and
 * released on close.
 */
export const rewardModelsPlugin = fp(
  async (app: FastifyInstance, opts: RewardModelsPluginOptions) => {
    if (!opts.registry.get('reward_model')) return;
    await warmRewardModels();
    app.addHook('onClose', async () => closeRewardModels());
  },
  { name: 'grpo-reward-models', fastify: '5.x' },
);
