import { createServer, type KitApp, type RunningServer, runServer, startIfMain } from '@grpo/service-kit';
import { type TrainerAppOptions, trainerApp } from './app.js';
import { loadTrainerConfig, TrainerConfig } from './config.js';

export const VERSION = '0.1.0';

const DESCRIPTION =
  'Runs training jobs (SFT, GRPO and its variants, rejection sampling, evaluation) against the rollout ' +
  'and reward services, with checkpoints, resume, metrics as JSON and SSE, and a live dashboard at ' +
  '/dashboard. Errors have the shape {error: {code, message, field?, statusCode}}.';

export interface BuildTrainerServerOptions extends Omit<TrainerAppOptions, 'config'> {
  config: Readonly<TrainerConfig>;
  logger?: boolean;
  defaultMetrics?: boolean;
}

/** The service-kit app with the trainer plugin registered and loaded; does not listen. */
export async function buildTrainerServer(opts: BuildTrainerServerOptions): Promise<KitApp> {
  const app = await createServer({
    service: 'trainer',
    version: VERSION,
    config: opts.config,
    defaultPort: TrainerConfig.properties.port.default,
    description: DESCRIPTION,
    logger: opts.logger,
    defaultMetrics: opts.defaultMetrics,
  });
  await app.register(trainerApp, { config: opts.config, services: opts.services });
  await app.ready();
  return app;
}

export interface StartedTrainerServer extends RunningServer {
  app: KitApp;
  config: Readonly<TrainerConfig>;
}

/**
 * Reads config (GRPO_TRAINER_* env vars, then `overrides`), builds and listens, with graceful
 * shutdown on SIGTERM/SIGINT (an active run checkpoints first). The only place the trainer listens.
 */
export async function startTrainerServer(
  overrides: Record<string, unknown> = {},
  extra: Omit<BuildTrainerServerOptions, 'config'> & { signals?: NodeJS.Signals[] } = {},
): Promise<StartedTrainerServer> {
  const config = loadTrainerConfig(overrides);
  const app = await buildTrainerServer({ ...extra, config });
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
  () => startTrainerServer(),
  (s) => [{ url: s.url }, 'trainer service listening'],
);
