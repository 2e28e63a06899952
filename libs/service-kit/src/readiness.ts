import { HealthResponse, ReadyResponse } from '@grpo/contracts';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A readiness check: true / undefined when ready, false or a reason string when not. */
export type ReadinessCheck = () => boolean | string | undefined | Promise<boolean | string | undefined>;

declare module 'fastify' {
  interface FastifyInstance {
    readiness: {
      /** Adds a named check to `GET /ready` (e.g. `pool`: the worker pool is up). */
      register(name: string, check: ReadinessCheck): void;
      /** Marks the app not ready (first step of a graceful shutdown). */
      drain(): void;
      readonly draining: boolean;
    };
  }
}

export interface HealthOptions {
  service: string;
  version: string;
}

/** `GET /health` (liveness: the process answers) and `GET /ready` (readiness: every check passes). */
export const healthPlugin = fp(
  async (app: FastifyInstance, opts: HealthOptions) => {
    const checks = new Map<string, ReadinessCheck>();
    let draining = false;
    app.decorate('readiness', {
      register(name: string, check: ReadinessCheck) {
        if (checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
        checks.set(name, check);
      },
      drain() {
        draining = true;
      },
      get draining() {
        return draining;
      },
    });
    app.get(
      '/health',
      { schema: { tags: ['ops'], summary: 'Liveness', response: { 200: HealthResponse } } },
      async () => ({
        status: 'ok' as const,
        service: opts.service,
        version: opts.version,
        uptimeS: process.uptime(),
      }),
    );
    app.get(
      '/ready',
      {
        schema: { tags: ['ops'], summary: 'Readiness', response: { 200: ReadyResponse, 503: ReadyResponse } },
      },
      async (_request, reply) => {
        const results: Record<string, { ok: boolean; reason?: string }> = {};
        if (draining) results.shutdown = { ok: false, reason: 'shutting down' };
        for (const [name, check] of checks) {
          try {
            const r = await check();
            results[name] =
              r === false || typeof r === 'string' ? { ok: false, reason: r || 'not ready' } : { ok: true };
          } catch (err) {
            results[name] = { ok: false, reason: err instanceof Error ? err.message : String(err) };
          }
        }
        const ok = Object.values(results).every((r) => r.ok);
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks: results });
      },
    );
  },
  { name: 'grpo-health', fastify: '5.x' },
);
