import {
  CreateRunRequest,
  ErrorBody,
  MetricsQuery,
  MetricsResponse,
  RunIdParams,
  RunList,
  RunStatus,
} from '@grpo/contracts';
import { BEARER_SECURITY, type KitApp } from '@grpo/service-kit';
import { parseCreateRequest, type RunManager } from '../run/manager.js';

/** Rows returned by one metrics request at most. */
export const MAX_METRIC_ROWS = 100_000;

export function runsRoutes(app: KitApp, manager: RunManager): void {
  app.post(
    '/v1/runs',
    {
      config: { scope: 'train' },
      // The body is validated by `parseCreateRequest` (TypeBox Value): it fills the RunConfig
      // defaults, which ajv ignores inside anyOf, and names the exact field at fault where ajv
      // would only say "must match a schema in anyOf". The schema stays for the OpenAPI document.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
      schema: {
        tags: ['runs'],
        summary: 'Start a run, or resume one from its run directory',
        description:
          'Body: a RunConfig (defaults filled in and saved as <runDir>/config.json), or {resume: runDir} to ' +
          'continue a run from its last checkpoint. One run trains at a time per trainer (409 otherwise). ' +
          'The run trains in the background; follow it with GET /v1/runs/{id}, /metrics or /events.',
        security: BEARER_SECURITY,
        body: CreateRunRequest,
        response: { 201: RunStatus, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = parseCreateRequest(request.body);
      reply.code(201);
      return manager.create(body);
    },
  );

  app.get(
    '/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Every run of this trainer: those it started and those already in its runs directory',
        security: BEARER_SECURITY,
        response: { 200: RunList, 401: ErrorBody },
      },
    },
    async () => ({ runs: manager.list() }),
  );

  app.get(
    '/v1/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'Status of a run: state, step, stage, last metrics, evaluations',
        security: BEARER_SECURITY,
        params: RunIdParams,
        response: { 200: RunStatus, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => manager.get(request.params.id).status,
  );

  app.post(
    '/v1/runs/:id/stop',
    {
      config: { scope: 'train' },
      schema: {
        tags: ['runs'],
        summary: 'Stop a run after its current step',
        description:
          'The run checkpoints where it stands and ends `stopped`; resume it with {resume: runDir}.',
        security: BEARER_SECURITY,
        params: RunIdParams,
        response: { 202: RunStatus, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return manager.stop(request.params.id);
    },
  );

  app.get(
    '/v1/runs/:id/metrics',
    {
      schema: {
        tags: ['runs'],
        summary: 'Metric rows (one per step, fixed names) and evaluation records',
        security: BEARER_SECURITY,
        params: RunIdParams,
        querystring: MetricsQuery,
        response: { 200: MetricsResponse, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const run = manager.get(request.params.id);
      const since = Number(request.query.since ?? 0);
      const limit = Math.min(MAX_METRIC_ROWS, Number(request.query.limit ?? MAX_METRIC_ROWS));
      const log = await run.metricsLog();
      return { id: run.status.id, rows: log.since(since, limit), evals: [...log.evals] };
    },
  );
}
