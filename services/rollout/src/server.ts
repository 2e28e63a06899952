import { createServer, type KitApp, type RunningServer, runServer, startIfMain } from '@grpo/service-kit';
import { rolloutApp } from './app.js';
import { loadRolloutConfig, RolloutConfig } from './config.js';
import { createEngine } from './engine/create.js';
import type { RolloutEngine } from './engine/types.js';

export const VERSION = '0.1.0';

const DESCRIPTION =
  'Samples G completions per prompt with per-token logprobs from the current policy (embedded ONNX engine ' +
  'or OpenAI-compatible upstreams), manages the policy version, and serves OpenAI-compatible completions. ' +
  'Errors have the shape {error: {code, message, field?, statusCode}}.';

export interface BuildRolloutServerOptions {
  config: Readonly<RolloutConfig>;
  /** An engine to serve; default: the one the config names (closed with the app). */
  engine?: RolloutEngine;
  logger?: boolean;
  defaultMetrics?: boolean;
}

/** The service-kit app with the rollout plugin registered and loaded; does not listen. */
export async function buildRolloutServer(opts: BuildRolloutServerOptions): Promise<KitApp> {
  const owned = opts.engine ? null : await createEngine(opts.config);
  const engine = opts.engine ?? owned!.engine;
  try {
    const app = await createServer({
      service: 'rollout',
      version: VERSION,
      config: opts.config,
      defaultPort: RolloutConfig.properties.port.default,
      description: DESCRIPTION,
      logger: opts.logger,
      defaultMetrics: opts.defaultMetrics,
    });
    await app.register(rolloutApp, { config: opts.config, engine, dispose: owned?.dispose });
    await app.ready();
    return app;
  } catch (err) {
    await owned?.dispose();
    throw err;
  }
}

export interface StartedRolloutServer extends RunningServer {
  app: KitApp;
  config: Readonly<RolloutConfig>;
}

/**
 * Reads config (GRPO_ROLLOUT_* env vars, then `overrides`), builds and listens, with graceful
 * shutdown on SIGTERM/SIGINT. The only place the rollout service listens.
 */
export async function startRolloutServer(
  overrides: Record<string, unknown> = {},
  extra: { signals?: NodeJS.Signals[]; env?: Record<string, string | undefined> } = {},
): Promise<StartedRolloutServer> {
  const config = loadRolloutConfig(overrides, extra.env);
  const app = await buildRolloutServer({ config });
  const running = await runServer(app, {
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    signals: extra.signals,
  });
  return { ...running, app, config };
}

startIfMain(
  import.meta.url,
  () => startRolloutServer(),
  (s) => [{ url: s.url, engine: s.config.engine }, 'rollout service listening'],
);
