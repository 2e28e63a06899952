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
import { FieldError, type KitApp, type PathRoots, parseRootList, resolveInRoots } from '@grpo/service-kit';
import type { RolloutConfig } from '../config.js';
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

/** Where request paths may point: the configured model roots (see service-kit paths.ts). */
export function modelRoots(config: Readonly<RolloutConfig>): PathRoots {
  return { dirs: parseRootList(config.modelRoot ?? ''), setting: 'GRPO_ROLLOUT_MODEL_ROOT (--model-root)' };
}

export function policyRoutes(app: KitApp, engine: RolloutEngine, config: Readonly<RolloutConfig>): void {
  const roots = modelRoots(config);
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
        summary: 'Load a checkpoint folder (inside the model roots) and bump the version',
        description:
          'The new weights are loaded while requests keep running; the swap happens between batches. ' +
          'Requests already running finish on the old version (their policyVersion says so). The openai ' +
          'engine forwards {model_path} to every upstream POST /update_weights_from_disk (SGLang).',
        body: PutPolicyRequest,
        response: { 200: PutPolicyResponse, 400: ErrorBody, 403: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => loadCheckpoint(engine, resolveInRoots(request.body.path, roots, 'path'), 'path'),
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
        response: { 200: UpdateWeightsResponse, 400: ErrorBody, 403: ErrorBody, 502: ErrorBody },
      },
    },
    async (request) => {
      const dir = resolveInRoots(request.body.model_path, roots, 'model_path');
      const s = await loadCheckpoint(engine, dir, 'model_path');
      return { success: true, message: `loaded ${s.model} as version ${s.version}` };
    },
  );
}
