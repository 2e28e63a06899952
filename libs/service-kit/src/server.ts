import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { accessPlugin } from './access.js';
import { loadApiKeys } from './api-keys.js';
import { ConfigError, type KitConfig } from './config.js';
import { installErrorHandlers } from './error-handler.js';
import { loadSheddingPlugin } from './load-shedding.js';
import { metricsPlugin } from './metrics.js';
import { OPENAPI_VERSION, openApiDocumentTransform, openApiRouteTransform } from './openapi.js';
import { healthPlugin } from './readiness.js';

/** A Fastify instance with the TypeBox type provider: route handlers get typed bodies from schemas. */
export type KitApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface CreateServerOptions {
  /** Service name for logs, /health and the OpenAPI title, e.g. `reward`. */
  service: string;
  version: string;
  config: Readonly<KitConfig>;
  /** OpenAPI description (markdown). */
  description?: string;
  /** false silences logs (tests); default: pino at config.logLevel. */
  logger?: boolean;
  /** Default process metrics (off in tests that build many apps). Default true. */
  defaultMetrics?: boolean;
  /** Load-shedding sample interval (ms). Default 100. */
  loadSampleIntervalMs?: number;
  /** Where pino writes (tests read log lines from it); default stdout. */
  logStream?: { write(line: string): void };
  /** Env var prefix named in config errors about keys; default `GRPO_<SERVICE>_`. */
  envPrefix?: string;
  /** The service's default port, for the OpenAPI `servers` entry (`http://127.0.0.1:<port>`). */
  defaultPort?: number;
}

/** True for hosts only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * Secure default: a service that listens beyond loopback with no API key refuses to start
 * unless the operator opted out with allowOpen (`--allow-open`, `<PREFIX>ALLOW_OPEN=true`).
 */
export function checkOpenBinding(
  config: Pick<KitConfig, 'host' | 'allowOpen'>,
  keyCount: number,
  envPrefix: string,
): void {
  if (keyCount > 0 || config.allowOpen || isLoopbackHost(config.host ?? '127.0.0.1')) return;
  throw new ConfigError(
    'allowOpen',
    `${envPrefix}ALLOW_OPEN`,
    `refusing to start: host ${config.host} is reachable beyond this machine and no API keys are set. ` +
      `Set ${envPrefix}API_KEYS (comma-separated, each at least 16 characters; \`npx grpo keys\` prints a set) ` +
      `or ${envPrefix}API_KEYS_FILE, or run open on purpose with ${envPrefix}ALLOW_OPEN=true (--allow-open).`,
  );
}

/** Incoming `x-request-id` values are kept only when they look like an id (no log injection). */
export const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plausible id, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_RE.test(header) ? header : randomUUID();
}

/**
 * Builds the Fastify app every service shares: pino logging with request ids
 * (`x-request-id` honoured and echoed), TypeBox validation without type coercion (a number
 * where a string belongs is a 400, not silently "5"), the uniform error shape, /health,
 * /ready, /metrics, /openapi.json, /docs, body and request-time limits, load shedding, API
 * keys and per-key rate limits (see access.ts).
 * The kit's plugins are loaded when the promise resolves, so routes added afterwards
 * appear in the OpenAPI document. Register the service's routes, then `runServer` or `inject`.
 */
export async function createServer(opts: CreateServerOptions): Promise<KitApp> {
  const { config } = opts;
  const envPrefix = opts.envPrefix ?? `GRPO_${opts.service.replace(/\W/g, '_').toUpperCase()}_`;
  // Read (and validated) before anything starts, so a bad keys file fails the start.
  const keys = loadApiKeys(config, envPrefix);
  checkOpenBinding(config, keys.length, envPrefix);
  const fastifyOptions: FastifyServerOptions = {
    logger:
      opts.logger === false
        ? false
        : { level: config.logLevel, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  };
  const app = Fastify(fastifyOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as KitApp;
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While draining, keep-alive sockets would hold close() open until keepAliveTimeout.
    if (app.readiness?.draining) reply.header('connection', 'close');
  });
  installErrorHandlers(app);
  // Conventions (operationId, security, 4xx, servers, license, examples) come from openapi.ts.
  await app.register(swagger, {
    openapi: {
      openapi: OPENAPI_VERSION,
      info: {
        title: `GRPO Stack ${opts.service} service`,
        version: opts.version,
        description: opts.description,
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: `An API key of this service (${envPrefix}API_KEYS); needed once any key is configured.`,
          },
        },
      },
    },
    transform: openApiRouteTransform({ metricsAuth: config.metricsAuth ?? false }),
    transformObject: openApiDocumentTransform({ service: opts.service, defaultPort: opts.defaultPort }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthPlugin, { service: opts.service, version: opts.version });
  await app.register(metricsPlugin, {
    prefix: `grpo_${opts.service.replace(/\W/g, '_')}_`,
    defaultMetrics: opts.defaultMetrics,
  });
  await app.register(loadSheddingPlugin, {
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    maxEventLoopUtilization: config.maxEventLoopUtilization,
    sampleIntervalMs: opts.loadSampleIntervalMs,
  });
  await app.register(accessPlugin, {
    keys,
    // `??`: configs built by hand (not through loadConfig) may predate these keys.
    metricsAuth: config.metricsAuth ?? false,
    rateItemsPerS: config.rateLimitItemsPerS ?? 0,
    burstItems: config.rateLimitBurstItems ?? 0,
    realm: `grpo-${opts.service}`,
    envPrefix,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

export interface RunServerOptions {
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  /** Signals that start a graceful shutdown. Default SIGTERM and SIGINT; [] installs none. */
  signals?: readonly NodeJS.Signals[];
  /** Called after the app closed on a signal (default: process.exit with 0, or 1 on timeout). */
  onExit?: (code: number) => void;
}

export interface RunningServer {
  url: string;
  /** Graceful stop: readiness goes 503, no new connections, in-flight requests finish, plugins close. */
  close(): Promise<void>;
}

/**
 * Listens and installs graceful shutdown: on a signal the app reports not ready, stops
 * accepting, lets in-flight requests finish and closes plugins (onClose); if that takes
 * longer than shutdownTimeoutMs the process exits with code 1.
 */
export async function runServer(app: KitApp, opts: RunServerOptions): Promise<RunningServer> {
  const address = await app.listen({ host: opts.host, port: opts.port });
  const url = address.replace('[::1]', 'localhost');
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const s of signals) process.removeListener(s, onSignal);
      app.readiness.drain();
      await app.close();
    })();
    return closing;
  };
  const exit = opts.onExit ?? ((code: number) => process.exit(code));
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: opts.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      exit(1);
    }, opts.shutdownTimeoutMs);
    timer.unref();
    close().then(
      () => {
        clearTimeout(timer);
        exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.once(s, onSignal);
  return { url, close };
}

/** True when `moduleUrl` (a module's `import.meta.url`) is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Each service's `server.ts` ends with this: when run directly (`node dist/server.js`) it
 * starts the service and logs `describe(started)`; a failed start prints the reason and
 * exits 1. Imported by tests or the CLI, it does nothing. Started by a parent process with an
 * IPC channel (`spawn(..., {stdio: [..., 'ipc']})`), it also sends `{event: 'listening', url}`
 * to the parent and shuts down gracefully when the channel closes (the parent exited).
 */
export function startIfMain<
  S extends { url: string; app: { log: { info(obj: object, msg: string): void } } },
>(
  moduleUrl: string,
  start: () => Promise<S>,
  describe: (started: S) => [details: object, message: string],
): void {
  if (!isMainModule(moduleUrl)) return;
  start().then(
    (s) => {
      s.app.log.info(...describe(s));
      if (process.send) {
        process.send({ event: 'listening', url: s.url });
        process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
      }
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
