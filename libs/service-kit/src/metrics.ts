import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

// Services add metrics with the kit's prom-client so they land in the same registry class.
export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Statuses counted as rejected requests, by the reason label they get. */
export const REJECT_REASONS: Readonly<Record<number, string>> = {
  401: 'unauthorized',
  403: 'forbidden',
  413: 'too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry; plugins add their own metrics to it. */
    metrics: { registry: Registry };
  }
  interface FastifyRequest {
    grpoStartNs?: bigint;
  }
}

export interface MetricsOptions {
  /** Prefix of metric names, e.g. `grpo_reward_`. */
  prefix: string;
  /** Skip default process metrics (several apps in one test process). */
  defaultMetrics?: boolean;
}

/**
 * One prom-client registry per app (no global state, so several apps can live in one process),
 * default process metrics, `http_request_duration_seconds{method,route,status_code}` and
 * `rejected_requests_total{reason,status_code}` (401, 403, 413, 429, 503).
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: MetricsOptions) => {
    const registry = new Registry();
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: opts.prefix });
    const duration = new Histogram({
      name: `${opts.prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const rejected = new Counter({
      name: `${opts.prefix}rejected_requests_total`,
      help: 'Requests refused before doing their work, by reason (401/403/413/429/503) and status.',
      labelNames: ['reason', 'status_code'],
      registers: [registry],
    });
    app.decorate('metrics', { registry });
    app.addHook('onRequest', async (request) => {
      request.grpoStartNs = process.hrtime.bigint();
    });
    app.addHook('onResponse', async (request, reply) => {
      if (request.grpoStartNs === undefined) return;
      const seconds = Number(process.hrtime.bigint() - request.grpoStartNs) / 1e9;
      // Unmatched URLs share one label so scanners cannot blow up label cardinality.
      const route = request.routeOptions.url ?? 'unmatched';
      const status = String(reply.statusCode);
      duration.observe({ method: request.method, route, status_code: status }, seconds);
      const reason = REJECT_REASONS[reply.statusCode];
      if (reason) rejected.inc({ reason, status_code: status });
    });
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics (text exposition format)',
          response: {
            200: {
              description: 'The registry in the Prometheus text format, version 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      async (_request, reply) => {
        reply.header('content-type', registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'grpo-metrics', fastify: '5.x' },
);
