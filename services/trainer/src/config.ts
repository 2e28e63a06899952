import { ConfigError, KitConfig, loadConfig } from '@grpo/service-kit';
import { type Static, Type } from '@sinclair/typebox';
import { parseServiceOrigins } from './run/confine.js';

/** Env vars: `GRPO_TRAINER_<KEY>` in upper snake case, e.g. `GRPO_TRAINER_RUNS_DIR=/data/runs`. */
export const ENV_PREFIX = 'GRPO_TRAINER_';

/** Settings of the trainer service, with defaults. */
export const TrainerConfig = Type.Composite([
  Type.Omit(KitConfig, ['port', 'maxEventLoopDelayMs']),
  Type.Object({
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8003 }),
    // A train step holds the event loop for one ORT call at a time (tens of ms on the tiny
    // model, seconds on real ones); shedding requests then would only hide the dashboard.
    maxEventLoopDelayMs: Type.Integer({ minimum: 0, default: 0, description: '0 disables load shedding.' }),
    executionProvider: Type.Union([Type.Literal('cpu'), Type.Literal('webgpu'), Type.Literal('cuda')], {
      default: 'cpu',
      description:
        'ORT execution provider of train steps and scoring when a run config names none. webgpu: bundled (needs libvulkan1 and a Vulkan driver); cuda: needs ONNXRUNTIME_NODE_INSTALL=cuda12 at install (a CUDA 13 build) and a CUDA 13 runtime.',
    }),
    runsDir: Type.String({
      default: 'runs',
      description: 'Run directories are created under it as <runsDir>/<id>.',
    }),
    dataRoot: Type.String({
      default: 'data',
      description:
        'Comma-separated folders a run config may read data from (data.path, evalPath, rlPath); relative ones resolve against the working directory. Paths elsewhere (symlinks followed) get 403 GRPO_PATH_OUTSIDE_ROOTS.',
    }),
    modelRoot: Type.String({
      default: 'models',
      description:
        "Comma-separated folders a run config may name a model folder in; runsDir is always allowed too (an earlier run's checkpoint).",
    }),
    serviceOrigins: Type.String({
      default: '',
      description:
        "Comma-separated origins (http[s]://host[:port]) a run config may name as rolloutUrl and rewardUrl; the trainer sends its rollout and reward API keys there. Empty: loopback hosts only (127.0.0.0/8, ::1, localhost; any port). '*': any origin. Others get 403 GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED.",
    }),
    resume: Type.String({
      default: '',
      description: 'A run directory to resume at start (the trainer restarted on the same run).',
    }),
    sseHeartbeatMs: Type.Integer({
      minimum: 100,
      default: 15_000,
      description: 'SSE comment line interval.',
    }),
    maxSseClients: Type.Integer({
      minimum: 1,
      default: 64,
      description: 'Concurrent event streams; more get 503.',
    }),
    rolloutApiKey: Type.String({
      default: '',
      description: 'Bearer key for the rollout service; empty = none.',
    }),
    rewardApiKey: Type.String({
      default: '',
      description: 'Bearer key for the reward service; empty = none.',
    }),
    serviceTimeoutMs: Type.Integer({
      minimum: 1000,
      default: 600_000,
      description: 'Timeout of one attempt of a call to the rollout or reward service.',
    }),
    serviceRetries: Type.Integer({
      minimum: 0,
      maximum: 20,
      default: 6,
      description:
        'Extra attempts of a rollout/reward call after a 5xx, 429, timeout or connection error; then the run fails with the error code.',
    }),
    serviceBackoffMs: Type.Integer({
      minimum: 0,
      default: 200,
      description: 'First retry delay; doubles each retry, full jitter.',
    }),
    serviceMaxBackoffMs: Type.Integer({
      minimum: 0,
      default: 10_000,
      description: 'Cap of one retry delay (6 retries sleep at most about 22 s in all).',
    }),
  }),
]);
export type TrainerConfig = Static<typeof TrainerConfig>;

/** Loads and freezes the config: defaults < GRPO_TRAINER_* env vars < overrides (CLI flags). */
export function loadTrainerConfig(
  overrides: Record<string, unknown> = {},
  env: Record<string, string | undefined> = process.env,
): Readonly<TrainerConfig> {
  const config = loadConfig(TrainerConfig, { prefix: ENV_PREFIX, env, overrides });
  try {
    parseServiceOrigins(config.serviceOrigins);
  } catch (err) {
    throw new ConfigError(
      'serviceOrigins',
      `${ENV_PREFIX}SERVICE_ORIGINS`,
      `serviceOrigins: ${(err as Error).message}`,
    );
  }
  return config;
}
