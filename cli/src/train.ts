import fs from 'node:fs/promises';
import { type CreateRunRequestBody, createTrainerClient } from '@grpo/clients';
import type { EvalRecord, MetricRow, RunStatus } from '@grpo/contracts';
import type { StageEvent } from '@grpo/trainer-service';
import { ProgressView } from './progress.js';
import { readSse } from './sse.js';

/** Times a lost event stream is reopened (with `since` = last step) before giving up. */
export const MAX_RECONNECTS = 5;

export interface TrainOptions {
  trainerUrl: string;
  /** A RunConfig, or `{resume: runDir}`. */
  body: unknown;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  apiKey?: string;
  /** Print a step line every N steps when not on a TTY. */
  every?: number;
}

export interface TrainResult {
  status: RunStatus;
  evals: EvalRecord[];
}

function headers(apiKey?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
  };
}

/** The 2xx body, or an Error `<what>: <status> <code>: <message>`. */
function checked<T>(res: Response, body: unknown, what: string): T {
  if (!res.ok) {
    const e = (body as { error?: { code: string; message: string } } | undefined)?.error;
    throw new Error(`${what}: ${res.status} ${e ? `${e.code}: ${e.message}` : ''}`.trim());
  }
  return body as T;
}

/**
 * The trainer's generated client (openapi/trainer.json). Submitting is not retried: a retry of a
 * POST whose first attempt started the run would only get 409.
 */
const trainerClient = (base: string, apiKey: string | undefined, retries?: number) =>
  createTrainerClient({ baseUrl: base, apiKey, ...(retries !== undefined ? { retries } : {}) });

/** Reads a run config file (JSON). */
export async function readRunConfigFile(file: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8').catch((err: Error) => {
    throw new Error(`cannot read ${file}: ${err.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
}

/** Follows a run's event stream to its end, drawing progress; reconnects after a dropped stream. */
export async function followRun(
  trainerUrl: string,
  id: string,
  view: ProgressView,
  apiKey?: string,
): Promise<TrainResult> {
  const base = trainerUrl.replace(/\/+$/, '');
  const evals: EvalRecord[] = [];
  let lastStep = 0;
  let ended = false;
  for (let attempt = 0; !ended && attempt <= MAX_RECONNECTS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 1000 * attempt));
    let res: Response;
    try {
      res = await fetch(`${base}/v1/runs/${encodeURIComponent(id)}/events?since=${lastStep}`, {
        headers: { ...headers(apiKey), accept: 'text/event-stream' },
      });
    } catch {
      continue;
    }
    if (res.status === 404) throw new Error(`run ${id} is not known to ${base} (was the trainer restarted?)`);
    if (!res.ok || !res.body) continue;
    await readSse(res.body, (e) => {
      const data = JSON.parse(e.data) as unknown;
      if (e.event === 'step') {
        const row = data as MetricRow;
        if (row.step <= lastStep) return;
        lastStep = row.step;
        view.step(row);
      } else if (e.event === 'stage') {
        const s = data as StageEvent;
        if (s.state === 'started') view.stage(s.name, s.type, s.steps);
      } else if (e.event === 'eval') {
        const rec = data as EvalRecord;
        if (!evals.some((x) => x.stage === rec.stage)) {
          evals.push(rec);
          view.eval(rec);
        }
      } else if (e.event === 'status') {
        view.status(data as RunStatus);
      } else if (e.event === 'end') {
        ended = true;
        return false;
      }
      return undefined;
    });
  }
  view.end();
  const got = await trainerClient(base, apiKey).raw.GET('/v1/runs/{id}', { params: { path: { id } } });
  const status = checked<RunStatus>(got.response, got.data ?? got.error, 'GET run');
  return { status, evals: status.evals.length ? status.evals : evals };
}

/**
 * `grpo train <config.json>`: submits the run to a running trainer, prints where to watch it,
 * follows the event stream with a progress bar and live metrics, and prints the evaluations.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const base = o.trainerUrl.replace(/\/+$/, '');
  const posted = await trainerClient(base, o.apiKey, 0).raw.POST('/v1/runs', {
    body: o.body as CreateRunRequestBody,
  });
  const created = checked<RunStatus>(posted.response, posted.data ?? posted.error, 'POST /v1/runs');
  o.out.write(
    `run ${created.id}${created.resumedFrom !== undefined ? ' (resumed)' : ''}: ${created.totalSteps} steps\n` +
      `  run dir:   ${created.runDir}\n  dashboard: ${base}/dashboard?run=${encodeURIComponent(created.id)}\n`,
  );
  const result = await followRun(base, created.id, new ProgressView(o.out, o.every), o.apiKey);
  const s = result.status;
  o.out.write(
    `run ${s.id} ${s.state} after ${s.step} steps${s.error ? `: ${s.error.code} ${s.error.message}` : ''}\n`,
  );
  return result;
}
