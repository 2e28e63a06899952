import { availableParallelism } from 'node:os';
import { RewardSpecEntry } from '@grpo/contracts';
import { KitConfig, loadConfig } from '@grpo/service-kit';
import { type Static, Type } from '@sinclair/typebox';

/** Env vars: `GRPO_REWARD_<KEY>` in upper snake case, e.g. `GRPO_REWARD_MAX_ITEMS=50000`. */
export const ENV_PREFIX = 'GRPO_REWARD_';

/** Every limit of the reward service, with its default. */
export const RewardConfig = Type.Composite([
  Type.Omit(KitConfig, ['port']),
  Type.Object({
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8001 }),
    workers: Type.Integer({
      minimum: 0,
      maximum: 256,
      default: 0,
      description: 'Worker threads that run cpu reward functions; 0 = available cores.',
    }),
    maxItems: Type.Integer({ minimum: 1, default: 20_000, description: 'Items per request; more is a 400.' }),
    maxRequestChars: Type.Integer({
      minimum: 1,
      default: 16_000_000,
      description:
        'Characters per request across prompts, completions and references (OpenRLHF: queries, prompts, labels); more is a 413.',
    }),
    maxCompletionChars: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Longer completions are not scored: every component is error, reason completion_too_long.',
    }),
    itemTimeoutMs: Type.Integer({
      minimum: 1,
      default: 2_000,
      description: 'Time budget of one item across its cpu functions, and of one async function call.',
    }),
    chunkTimeoutMs: Type.Integer({
      minimum: 1,
      default: 20_000,
      description:
        'Cap on a pool chunk budget (min(this, itemTimeoutMs * chunk items)); an overrun chunk is re-run item by item.',
    }),
    maxChunkItems: Type.Integer({ minimum: 1, default: 256, description: 'Items per pool task.' }),
    asyncConcurrency: Type.Integer({
      minimum: 1,
      default: 16,
      description: 'Concurrent async reward calls per request.',
    }),
    sandboxConcurrency: Type.Integer({
      minimum: 1,
      maximum: 4096,
      default: 8,
      description:
        'POST /v1/sandbox/run: programs running at once across every caller (tool calls of rollouts); more wait in a queue.',
    }),
    sandboxMaxQueue: Type.Integer({
      minimum: 0,
      default: 1024,
      description:
        'POST /v1/sandbox/run: programs waiting for the concurrency limit; more get 503 (retry later).',
    }),
    getRewardSpec: Type.Array(RewardSpecEntry, {
      default: [],
      description:
        'Reward spec used by POST /get_reward (JSON in the env var); [] = accuracy + format, those that exist.',
    }),
    specialTokens: Type.Array(Type.String(), {
      default: [
        '<|im_end|>',
        '<|endoftext|>',
        '<|eot_id|>',
        '</s>',
        '<｜end▁of▁sentence｜>',
        '<pad>',
        '<|end|>',
      ],
      description: 'Tokens removed from OpenRLHF queries before scoring.',
    }),
  }),
]);
export type RewardConfig = Static<typeof RewardConfig>;

/** Loads and freezes the config: defaults < GRPO_REWARD_* env vars < overrides (CLI flags). */
export function loadRewardConfig(
  overrides: Record<string, unknown> = {},
  env: Record<string, string | undefined> = process.env,
): Readonly<RewardConfig> {
  return loadConfig(RewardConfig, { prefix: ENV_PREFIX, env, overrides });
}

/** `workers: 0` means one per available core. */
export function poolSize(config: Pick<RewardConfig, 'workers'>): number {
  return config.workers > 0 ? config.workers : Math.max(1, availableParallelism());
}
