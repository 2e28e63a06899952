import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Thrown when the config is invalid; `field` is the config key, `envVar` the variable that sets it. */
export class ConfigError extends Error {
  readonly code = 'GRPO_CONFIG_INVALID';
  readonly field: string;
  readonly envVar: string;
  constructor(field: string, envVar: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.field = field;
    this.envVar = envVar;
  }
}

/**
 * Settings every service shares. Each has a default; services compose their own on top
 * (`Type.Composite([KitConfig, Type.Object({...})])`).
 */
export const KitConfig = Type.Object({
  host: Type.String({ default: '127.0.0.1', description: 'Interface to listen on.' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8000, description: '0 picks a free port.' }),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  bodyLimitBytes: Type.Integer({
    minimum: 1024,
    default: 32 * 1024 * 1024,
    description: 'Larger bodies get 413.',
  }),
  requestTimeoutMs: Type.Integer({
    minimum: 0,
    default: 120_000,
    description: 'Time to receive a whole request (node http requestTimeout); 0 disables.',
  }),
  connectionTimeoutMs: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'Socket idle timeout; 0 disables.',
  }),
  keepAliveTimeoutMs: Type.Integer({ minimum: 0, default: 72_000 }),
  maxEventLoopDelayMs: Type.Integer({
    minimum: 0,
    default: 1000,
    description: 'Shed load (503) when the event loop lags more than this; 0 disables.',
  }),
  maxEventLoopUtilization: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description: 'Shed load when event loop utilization over the last sample is above this; 0 disables.',
  }),
  shutdownTimeoutMs: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'In-flight requests get this long after SIGTERM before the process exits anyway.',
  }),
  apiKeys: Type.String({
    default: '',
    description: 'Comma-separated API keys, each `key` or `name:key`; empty and no apiKeysFile = open.',
  }),
  apiKeysFile: Type.String({
    default: '',
    description:
      'File of API keys, one per line: `key`, `name:key` or a JSON object (see service-kit README).',
  }),
  allowOpen: Type.Boolean({
    default: false,
    description:
      'Start without API keys on a non-loopback host. Off by default: such a service refuses to start.',
  }),
  metricsAuth: Type.Boolean({
    default: false,
    description: 'Put GET /metrics behind a key with scope metrics (or *).',
  }),
  rateLimitItemsPerS: Type.Number({
    minimum: 0,
    default: 0,
    description: 'Default token-bucket refill per key, in items per second; 0 = no rate limit.',
  }),
  rateLimitBurstItems: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'Default bucket size per key, in items; 0 = 10 seconds of rateLimitItemsPerS.',
  }),
});
export type KitConfig = Static<typeof KitConfig>;

/** `maxItems` -> `GRPO_REWARD_MAX_ITEMS` with prefix `GRPO_REWARD_`. */
export function envVarName(prefix: string, key: string): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function parseEnvValue(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: string }).type;
  if (type === 'object' || type === 'array') {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return Value.Convert(schema, raw);
}

export interface LoadConfigOptions {
  /** Env var prefix, e.g. `GRPO_REWARD_`. */
  prefix: string;
  env?: Record<string, string | undefined>;
  /** Values that win over env vars (CLI flags, test settings). */
  overrides?: Record<string, unknown>;
}

/**
 * Reads config from defaults < env vars < overrides, validates it once against `schema`
 * and returns a deeply frozen object. An invalid value throws ConfigError naming the key
 * and its env var. Unknown override keys are rejected so a typo does not pass silently.
 */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions): Readonly<Static<S>> {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const value = env[envVarName(options.prefix, key)];
    if (value !== undefined && value !== '') raw[key] = parseEnvValue(prop as TSchema, value);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (!(key in schema.properties)) {
      throw new ConfigError(key, envVarName(options.prefix, key), `unknown config key "${key}"`);
    }
    if (value !== undefined) raw[key] = value;
  }
  const config = Value.Default(schema, raw) as Record<string, unknown>;
  const first = [...Value.Errors(schema, config)][0];
  if (first) {
    const key = first.path.split('/')[1] ?? '';
    const envVar = envVarName(options.prefix, key);
    throw new ConfigError(
      key,
      envVar,
      `invalid config "${key}" (env ${envVar}): ${first.message}; got ${JSON.stringify(first.value)}`,
    );
  }
  return deepFreeze(config) as Readonly<Static<S>>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
