import { createServer, type KitApp, type RunningServer, runServer, startIfMain } from '@grpo/service-kit';
import { type RewardAppOptions, rewardApp } from './app.js';
import { ENV_PREFIX, loadRewardConfig, poolSize, RewardConfig } from './config.js';

export const VERSION = '0.1.0';

const DESCRIPTION =
  'Scores completions with verifiable rewards (accuracy, format, language consistency, length, ' +
  'repetition, code tests). Errors have the shape {error: {code, message, field?, statusCode}}.';

export interface BuildRewardServerOptions extends Omit<RewardAppOptions, 'config'> {
  config: Readonly<RewardConfig>;
  logger?: boolean;
  defaultMetrics?: boolean;
  /** Where pino writes (tests read log lines); default stdout. */
  logStream?: { write(line: string): void };
  /** Load-shedding sample interval (ms); default 100. */
  loadSampleIntervalMs?: number;
}

/** The service-kit app with the reward plugin registered and loaded; does not listen. */
export async function buildRewardServer(opts: BuildRewardServerOptions): Promise<KitApp> {
  const app = await createServer({
    service: 'reward',
    version: VERSION,
    config: opts.config,
    defaultPort: RewardConfig.properties.port.default,
    description: DESCRIPTION,
    logger: opts.logger,
    defaultMetrics: opts.defaultMetrics,
    logStream: opts.logStream,
    loadSampleIntervalMs: opts.loadSampleIntervalMs,
    envPrefix: ENV_PREFIX,
  });
  await app.register(rewardApp, {
    config: opts.config,
    registryModule: opts.registryModule,
    registry: opts.registry,
  });
  await app.ready();
  return app;
}

export interface StartedRewardServer extends RunningServer {
  app: KitApp;
  config: Readonly<RewardConfig>;
  workers: number;
}

/**
 * Reads config (GRPO_REWARD_* env vars, then `overrides`), builds and listens, with graceful
 * shutdown on SIGTERM/SIGINT. The only place the reward service listens.
 */
export async function startRewardServer(
  overrides: Record<string, unknown> = {},
  extra: Omit<BuildRewardServerOptions, 'config'> & { signals?: NodeJS.Signals[] } = {},
): Promise<StartedRewardServer> {
  const config = loadRewardConfig(overrides);
  const app = await buildRewardServer({ ...extra, config });
  const running = await runServer(app, {
    host: config.host,
    port: config.port,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    signals: extra.signals,
  });
  return { ...running, app, config, workers: poolSize(config) };
}

startIfMain(
  import.meta.url,
  () => startRewardServer(),
  (s) => [{ url: s.url, workers: s.workers }, 'reward service listening'],
);
