import { envVarName } from '@grpo/service-kit';
import type { TObject } from '@sinclair/typebox';
import { RewardConfig } from '../services/reward/src/config.js';
import { RolloutConfig } from '../services/rollout/src/config.js';
import { TrainerConfig } from '../services/trainer/src/config.js';

/** Env prefix and config schema of each service, as `loadConfig` reads them. */
export const serviceConfigs: Record<string, [prefix: string, schema: TObject]> = {
  reward: ['GRPO_REWARD_', RewardConfig],
  rollout: ['GRPO_ROLLOUT_', RolloutConfig],
  trainer: ['GRPO_TRAINER_', TrainerConfig],
};

/** The GRPO_* names in `env` that are not a key of `service`'s config schema (typos, stale names). */
export function unknownEnvNames(service: string, env: Record<string, string>): string[] {
  const [prefix, schema] = serviceConfigs[service]!;
  const known = new Set(Object.keys(schema.properties).map((k) => envVarName(prefix, k)));
  return Object.keys(env).filter((k) => k.startsWith('GRPO_') && !known.has(k));
}
