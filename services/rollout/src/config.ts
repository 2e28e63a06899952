import { ConfigError, KitConfig, loadConfig } from '@grpo/service-kit';
import { type Static, Type } from '@sinclair/typebox';

/** Env vars: `GRPO_ROLLOUT_<KEY>` in upper snake case, e.g. `GRPO_ROLLOUT_MAX_GROUP_SIZE=32`. */
export const ENV_PREFIX = 'GRPO_ROLLOUT_';

/** Every option and limit of the rollout service, with its default. */
export const RolloutConfig = Type.Composite([
  Type.Omit(KitConfig, ['port']),
  Type.Object({
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8002 }),
    engine: Type.Union([Type.Literal('onnx'), Type.Literal('openai')], {
      default: 'onnx',
      description: 'onnx: the embedded engine; openai: forward to OpenAI-compatible upstreams.',
    }),
    model: Type.String({
      default: '',
      description:
        'Checkpoint folder (HF layout). onnx: the policy ("" = the tiny built-in policy); openai: only the tokenizer is read ("" = none, text prompts go upstream as text).',
    }),
    modelRoot: Type.String({
      default: 'models,runs',
      description:
        "Comma-separated folders PUT /v1/policy and /update_weights_from_disk may load from (relative ones resolve against the working directory; include the trainer's runs directory). Paths elsewhere (symlinks followed) get 403 GRPO_PATH_OUTSIDE_ROOTS.",
    }),
    tinySeed: Type.Integer({ default: 0, description: 'Init seed of the tiny built-in policy.' }),
    executionProvider: Type.Union([Type.Literal('cpu'), Type.Literal('cuda')], {
      default: 'cpu',
      description: 'onnx engine: ORT execution provider (cuda needs ONNXRUNTIME_NODE_INSTALL=cuda12).',
    }),
    intraOpThreads: Type.Integer({
      minimum: 0,
      maximum: 1024,
      default: 0,
      description: 'ORT threads per op; 0 = ORT default.',
    }),
    upstreams: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'openai engine: base URLs (JSON array in the env var), e.g. ["http://vllm-0:8000"].',
    }),
    upstreamModel: Type.String({
      default: 'policy',
      description: 'openai engine: the `model` field sent upstream.',
    }),
    upstreamWeightUpdate: Type.Union([Type.Literal('sglang'), Type.Literal('none')], {
      default: 'sglang',
      description:
        'openai engine, PUT /v1/policy: sglang = POST {model_path} to each upstream /update_weights_from_disk; none = only bump the version (upstreams reloaded by the operator, e.g. vLLM).',
    }),
    upstreamTimeoutMs: Type.Integer({ minimum: 1, default: 300_000, description: 'Per upstream call.' }),
    upstreamRetries: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 2,
      description: 'Retries on other upstreams.',
    }),
    upstreamBackoffMs: Type.Integer({ minimum: 0, default: 100, description: 'First retry delay; doubles.' }),
    upstreamCooldownMs: Type.Integer({
      minimum: 0,
      default: 5_000,
      description: 'A failed upstream is skipped this long.',
    }),
    maxPrompts: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 256,
      description: 'Prompts per request.',
    }),
    maxGroupSize: Type.Integer({ minimum: 1, default: 64, description: 'groupSize / n per prompt.' }),
    maxNewTokens: Type.Integer({ minimum: 1, default: 1024, description: 'Cap on maxTokens / max_tokens.' }),
    defaultMaxTokens: Type.Integer({
      minimum: 1,
      default: 128,
      description: 'maxTokens of /v1/rollouts when not given.',
    }),
    maxPromptTokens: Type.Integer({ minimum: 1, default: 4096, description: 'Tokens per prompt.' }),
    maxBatchSequences: Type.Integer({
      minimum: 1,
      default: 256,
      description: 'onnx engine: sequences (groups x G) per batch run; must be >= maxGroupSize.',
    }),
    maxUploadBytes: Type.Integer({
      minimum: 1,
      default: 2 * 1024 ** 3,
      description: 'PUT /v1/policy/weights: largest safetensors body (held in memory while it loads).',
    }),
    maxQueuedSequences: Type.Integer({
      minimum: 1,
      default: 8192,
      description:
        'onnx engine: sequences waiting or running; a request beyond it gets 503 GRPO_ROLLOUT_QUEUE_FULL.',
    }),
    batchWindowMs: Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 2,
      description: 'onnx engine: how long the batcher collects requests before a run.',
    }),
  }),
]);
export type RolloutConfig = Static<typeof RolloutConfig>;

/** Loads and freezes the config: defaults < GRPO_ROLLOUT_* env vars < overrides (CLI flags). */
export function loadRolloutConfig(
  overrides: Record<string, unknown> = {},
  env: Record<string, string | undefined> = process.env,
): Readonly<RolloutConfig> {
  const config = loadConfig(RolloutConfig, { prefix: ENV_PREFIX, env, overrides });
  if (config.maxGroupSize > config.maxBatchSequences)
    throw new ConfigError(
      'maxGroupSize',
      `${ENV_PREFIX}MAX_GROUP_SIZE`,
      `maxGroupSize ${config.maxGroupSize} exceeds maxBatchSequences ${config.maxBatchSequences}`,
    );
  if (config.defaultMaxTokens > config.maxNewTokens)
    throw new ConfigError(
      'defaultMaxTokens',
      `${ENV_PREFIX}DEFAULT_MAX_TOKENS`,
      `defaultMaxTokens ${config.defaultMaxTokens} exceeds maxNewTokens ${config.maxNewTokens}`,
    );
  if (config.engine === 'openai' && config.upstreams.length === 0)
    throw new ConfigError(
      'upstreams',
      `${ENV_PREFIX}UPSTREAMS`,
      'engine openai needs upstreams (a JSON array of base URLs)',
    );
  return config;
}
