import {
  ErrorBody,
  PolicyInfo,
  PutPolicyRequest,
  PutPolicyResponse,
  RolloutErrorCodes,
  UpdateWeightsRequest,
  UpdateWeightsResponse,
} from '@grpo/contracts';
import { ModelError } from '@grpo/model';
import { FieldError, type KitApp } from '@grpo/service-kit';
import type { PolicySwap, RolloutEngine } from '../engine/types.js';

/** Loads a checkpoint; a folder that does not load is the caller's 400. */
export async function loadCheckpoint(
  engine: RolloutEngine,
  path: string,
  field: string,
): Promise<PolicySwap> {
  try {
    return await engine.loadPolicy(path);
  } catch (err) {
    if (err instanceof ModelError)
      throw new FieldError(RolloutErrorCodes.badPolicy, 400, field, `cannot load ${path}: ${err.message}`);
    throw err;
  }
}

export function policyRoutes(app: KitApp, engine: RolloutEngine): void {
  app.get(
    '/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'The loaded policy: model, version, engine (and upstream health)',
        response: { 200: PolicyInfo },
      },
    },
    async () => engine.policyInfo(),
  );

  app.put(
    '/v1/policy',
    {
      schema: {
        tags: ['policy'],
        summary: 'Load a checkpoint folder and bump the version',
        description:
          'The new weights are loaded while requests keep running; the swap happens between batches. ' +
          'Requests already running finish on the old version (their policyVersion says so). The openai ' +
          'engine forwards {model_path} to every upstream POST /update_weights_from_disk (SGLang).',
        body: PutPolicyRequest,
        response: { 200: PutPolicyResponse, 400: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => loadCheckpoint(engine, request.body.path, 'path'),
  );

  app.post(
    '/update_weights_from_disk',
    {
      schema: {
        tags: ['policy'],
        summary: "SGLang's weight update: load the checkpoint at model_path",
        description:
          'The same as PUT /v1/policy, in the shape SGLang serves, so a rollout service can be the upstream of another.',
        body: UpdateWeightsRequest,
        response: { 200: UpdateWeightsResponse, 400: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => {
      const s = await loadCheckpoint(engine, request.body.model_path, 'model_path');
      return { success: true, message: `loaded ${s.model} as version ${s.version}` };
    },
  );
}
