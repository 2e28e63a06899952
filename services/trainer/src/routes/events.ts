import type { ServerResponse } from 'node:http';
import { ErrorBody, RunIdParams } from '@grpo/contracts';
import { BEARER_SECURITY, type KitApp } from '@grpo/service-kit';
import { Type } from '@sinclair/typebox';
import { TOO_MANY_STREAMS, TrainerError } from '../errors.js';
import type { RunEvent, RunManager } from '../run/manager.js';

const TERMINAL = new Set(['stopped', 'completed', 'failed']);

export interface EventsOptions {
  heartbeatMs: number;
  maxClients: number;
}

/** One SSE frame; `id` (the step) lets a reconnecting EventSource resume with Last-Event-ID. */
function frame(e: RunEvent | { type: 'end'; data: unknown }, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/**
 * `GET /v1/runs/:id/events`: Server-Sent Events (WHATWG HTML §9.2). On connect: a `status`
 * event, every step row after `since` (or Last-Event-ID) with the stage events from that step
 * on (of a run this process trains), and the evals so far; then live
 * `step`, `stage`, `eval` and `status` events, a comment line every heartbeatMs so proxies keep
 * the stream open, and a final `end` event when the run stops, completes or fails.
 */
export function eventsRoute(app: KitApp, manager: RunManager, o: EventsOptions): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get(
    '/v1/runs/:id/events',
    {
      schema: {
        tags: ['runs'],
        summary: 'Live run events (text/event-stream)',
        description:
          'Events: status (RunStatus), step (MetricRow, id = step), stage ({stage, type, name, state}), ' +
          'eval (EvalRecord), end. Replays rows after ?since= or the Last-Event-ID header first.',
        security: BEARER_SECURITY,
        params: RunIdParams,
        querystring: Type.Object({ since: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })) }),
        response: {
          200: {
            description: 'Server-sent events (`event:` type, `id:` step on step events, `data:` JSON)',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          401: ErrorBody,
          404: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const run = manager.get(request.params.id);
      const log = await run.metricsLog();
      if (open.size >= o.maxClients) {
        throw new TrainerError(
          TOO_MANY_STREAMS,
          'id',
          `${open.size} event streams are open (maxSseClients)`,
          503,
        );
      }
      const lastId = request.headers['last-event-id'];
      const since = Number(request.query.since ?? (typeof lastId === 'string' ? lastId : 0)) || 0;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      open.add(res);
      const send = (e: RunEvent | { type: 'end'; data: unknown }) => {
        res.write(frame(e, e.type === 'step' ? (e.data as { step: number }).step : undefined));
      };
      send({ type: 'status', data: run.status });
      // Replay in order: the stage events that happened at or after step `since`, each after
      // the step rows logged before it, interleaved with the rows after `since`.
      const stages = run.stageEvents.filter((s) => s.afterStep >= since);
      let next = 0;
      const stagesUpTo = (step: number) => {
        for (let s = stages[next]; s && s.afterStep <= step; s = stages[++next]) {
          send({ type: 'stage', data: s.event });
        }
      };
      stagesUpTo(since);
      for (const row of log.since(since, Number.MAX_SAFE_INTEGER)) {
        send({ type: 'step', data: row });
        stagesUpTo(row.step);
      }
      stagesUpTo(Number.MAX_SAFE_INTEGER);
      for (const rec of run.status.evals) send({ type: 'eval', data: rec });
      const finish = () => {
        send({ type: 'end', data: { state: run.status.state } });
        res.end();
      };
      if (TERMINAL.has(run.status.state)) {
        finish();
        open.delete(res);
        return;
      }
      const onEvent = (e: RunEvent) => {
        send(e);
        if (e.type === 'status' && TERMINAL.has(e.data.state)) finish();
      };
      const heartbeat = setInterval(() => res.write(': ping\n\n'), o.heartbeatMs);
      run.on('event', onEvent);
      res.on('close', () => {
        clearInterval(heartbeat);
        run.off('event', onEvent);
        open.delete(res);
      });
    },
  );
}
