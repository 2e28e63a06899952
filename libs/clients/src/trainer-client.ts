import type { Client } from 'openapi-fetch';
import type { paths } from './generated/trainer.generated.js';
import type { HealthBody, ReadyBody } from './reward-client.js';
import { type JsonBody, type TypedClientOptions, typedClient } from './typed-client.js';

/** Request and response bodies of the trainer service, as generated from openapi/trainer.json. */
type Op<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]>;
export type CreateRunRequestBody = JsonBody<Op<'/v1/runs', 'post'>['requestBody']>;
export type RunStatusBody = JsonBody<Op<'/v1/runs', 'post'>['responses'][201]>;
export type RunListBody = JsonBody<Op<'/v1/runs', 'get'>['responses'][200]>;
export type MetricsBody = JsonBody<Op<'/v1/runs/{id}/metrics', 'get'>['responses'][200]>;
export type MetricsQueryParams = NonNullable<Op<'/v1/runs/{id}/metrics', 'get'>['parameters']['query']>;

export type TrainerClientOptions = TypedClientOptions;

/** The trainer service client: typed methods that throw ServiceClientError, and the raw openapi-fetch client. */
export interface TrainerClient {
  /** `POST /v1/runs`: start a run from a RunConfig, or resume one with `{resume: runDir}` (201). */
  createRun(body: CreateRunRequestBody): Promise<RunStatusBody>;
  /** `GET /v1/runs`. */
  listRuns(): Promise<RunListBody>;
  /** `GET /v1/runs/{id}`: state, step, stage, last metrics, evaluations. */
  getRun(id: string): Promise<RunStatusBody>;
  /** `POST /v1/runs/{id}/stop`: checkpoint and stop after the current step (202). */
  stopRun(id: string): Promise<RunStatusBody>;
  /** `GET /v1/runs/{id}/metrics`: rows after `since`, at most `limit` (decimal strings). */
  metrics(id: string, query?: MetricsQueryParams): Promise<MetricsBody>;
  health(): Promise<HealthBody>;
  /** `GET /ready`; a 503 (not ready) throws with code HTTP_503. */
  ready(): Promise<ReadyBody>;
  /** openapi-fetch over the generated `paths` (`/v1/runs/{id}/events` with `parseAs: 'stream'`). */
  raw: Client<paths>;
}

/**
 * A typed client of the trainer service generated from openapi/trainer.json, with the same
 * key, timeout and retries (429, 5xx, connection errors; Retry-After honoured) as the reward client.
 */
export function createTrainerClient(opts: TrainerClientOptions): TrainerClient {
  const { raw, unwrap } = typedClient<paths>(opts);
  const byId = (id: string) => ({ params: { path: { id } } });
  return {
    raw,
    createRun: (body) => unwrap('POST /v1/runs', raw.POST('/v1/runs', { body })),
    listRuns: () => unwrap('GET /v1/runs', raw.GET('/v1/runs')),
    getRun: (id) => unwrap('GET /v1/runs/{id}', raw.GET('/v1/runs/{id}', byId(id))),
    stopRun: (id) => unwrap('POST /v1/runs/{id}/stop', raw.POST('/v1/runs/{id}/stop', byId(id))),
    metrics: (id, query) =>
      unwrap(
        'GET /v1/runs/{id}/metrics',
        raw.GET('/v1/runs/{id}/metrics', { params: { path: { id }, query } }),
      ),
    health: () => unwrap('GET /health', raw.GET('/health')),
    ready: () => unwrap('GET /ready', raw.GET('/ready')),
  };
}
