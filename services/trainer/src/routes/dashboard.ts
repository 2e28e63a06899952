import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { KitApp } from '@grpo/service-kit';
import type { FastifySchema } from 'fastify';
import { DASHBOARD_SCRIPT } from '../dashboard/client.js';
import { DASHBOARD_HTML } from '../dashboard/page.js';

const require = createRequire(import.meta.url);
/** Left out of the OpenAPI document (`hide` is @fastify/swagger's schema extension). */
const HIDDEN = { hide: true } as FastifySchema;

/** uPlot's browser build and stylesheet, read once from node_modules (uplot, MIT). */
function uplotAsset(file: string): string {
  return fs.readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

/**
 * `GET /dashboard`: live plots of a run (reward, accuracy, loss, KL, length, throughput) over
 * the run's SSE stream, drawn with uPlot. `?run=<id>` picks the run; default: the latest.
 */
export function dashboardRoutes(app: KitApp): void {
  const assets: Record<string, [string, string]> = {
    'uplot.iife.min.js': ['application/javascript; charset=utf-8', uplotAsset('uPlot.iife.min.js')],
    'uplot.min.css': ['text/css; charset=utf-8', uplotAsset('uPlot.min.css')],
    'app.js': ['application/javascript; charset=utf-8', DASHBOARD_SCRIPT],
  };
  app.get('/dashboard', { schema: HIDDEN }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(DASHBOARD_HTML),
  );
  for (const [name, [type, body]] of Object.entries(assets)) {
    app.get(`/dashboard/${name}`, { schema: HIDDEN }, async (_req, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=3600').send(body),
    );
  }
}
