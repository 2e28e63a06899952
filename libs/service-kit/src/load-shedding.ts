import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { OverloadedError } from './errors.js';

export interface LoadSheddingOptions {
  /** Shed when the loop lags more than this (ms); 0 disables the check. */
  maxEventLoopDelayMs: number;
  /** Shed when utilization over the last sample is above this (0..1); 0 disables the check. */
  maxEventLoopUtilization: number;
  /** How often the loop is sampled (ms). */
  sampleIntervalMs?: number;
  /** Seconds sent in Retry-After. */
  retryAfterS?: number;
  /** Paths that are never shed (probes and metrics must answer under load). */
  exempt?: readonly string[];
}

/** Paths never shed by default: probes and metrics must answer under load. */
export const NEVER_SHED_PATHS: readonly string[] = ['/health', '/ready', '/metrics'];

export interface LoadState {
  eventLoopDelayMs: number;
  eventLoopUtilization: number;
  overloaded: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    loadState(): LoadState;
  }
}

/**
 * Load shedding: a timer samples how late it fires (event-loop lag) and the loop's
 * utilization; while either is over its threshold, new requests get 503 + Retry-After
 * instead of queueing behind a saturated loop. Same idea as @fastify/under-pressure.
 */
export const loadSheddingPlugin = fp(
  async (app: FastifyInstance, opts: LoadSheddingOptions) => {
    const interval = opts.sampleIntervalMs ?? 100;
    const exempt = new Set(opts.exempt ?? NEVER_SHED_PATHS);
    const state: LoadState = { eventLoopDelayMs: 0, eventLoopUtilization: 0, overloaded: false };
    let last = performance.now();
    let lastElu = performance.eventLoopUtilization();
    const timer = setInterval(() => {
      const now = performance.now();
      state.eventLoopDelayMs = Math.max(0, now - last - interval);
      last = now;
      const elu = performance.eventLoopUtilization();
      state.eventLoopUtilization = performance.eventLoopUtilization(elu, lastElu).utilization;
      lastElu = elu;
      state.overloaded =
        (opts.maxEventLoopDelayMs > 0 && state.eventLoopDelayMs > opts.maxEventLoopDelayMs) ||
        (opts.maxEventLoopUtilization > 0 && state.eventLoopUtilization > opts.maxEventLoopUtilization);
    }, interval);
    timer.unref();
    app.decorate('loadState', () => ({ ...state }));
    app.addHook('onRequest', async (request, reply) => {
      if (!state.overloaded || exempt.has(request.url.split('?')[0] ?? '')) return;
      reply.header('retry-after', String(opts.retryAfterS ?? 1));
      throw new OverloadedError();
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'grpo-load-shedding', fastify: '5.x' },
);
