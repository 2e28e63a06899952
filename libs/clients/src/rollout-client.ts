import type { Client } from 'openapi-fetch';
import type { paths } from './generated/rollout.generated.js';
import type { HealthBody, ReadyBody } from './reward-client.js';
import { type JsonBody, type TypedClientOptions, typedClient } from './typed-client.js';

/** Request and response bodies of the rollout service, as generated from openapi/rollout.json. */
type Op<P extends keyof paths, M extends 'get' | 'post' | 'put'> = NonNullable<paths[P][M]>;
export type RolloutRequestBody = JsonBody<Op<'/v1/rollouts', 'post'>['requestBody']>;
export type RolloutResponseBody = JsonBody<Op<'/v1/rollouts', 'post'>['responses'][200]>;
export type PolicyInfoBody = JsonBody<Op<'/v1/policy', 'get'>['responses'][200]>;
export type PutPolicyRequestBody = JsonBody<Op<'/v1/policy', 'put'>['requestBody']>;
export type PutPolicyResponseBody = JsonBody<Op<'/v1/policy', 'put'>['responses'][200]>;
export type UpdateWeightsRequestBody = JsonBody<Op<'/update_weights_from_disk', 'post'>['requestBody']>;
export type UpdateWeightsResponseBody = JsonBody<Op<'/update_weights_from_disk', 'post'>['responses'][200]>;
export type ModelListBody = JsonBody<Op<'/v1/models', 'get'>['responses'][200]>;
export type CompletionRequestBody = JsonBody<Op<'/v1/completions', 'post'>['requestBody']>;
export type CompletionResponseBody = JsonBody<Op<'/v1/completions', 'post'>['responses'][200]>;
export type ChatCompletionRequestBody = JsonBody<Op<'/v1/chat/completions', 'post'>['requestBody']>;
export type ChatCompletionResponseBody = JsonBody<Op<'/v1/chat/completions', 'post'>['responses'][200]>;

export type RolloutClientOptions = TypedClientOptions;

/** The rollout service client: typed methods that throw ServiceClientError, and the raw openapi-fetch client. */
export interface RolloutClient {
  /** `POST /v1/rollouts`: per prompt, groupSize completions with token ids and logprobs. */
  rollouts(body: RolloutRequestBody): Promise<RolloutResponseBody>;
  /** `GET /v1/policy`: the loaded model, version and engine. */
  policy(): Promise<PolicyInfoBody>;
  /** `PUT /v1/policy`: load a checkpoint folder on the service host and bump the version. */
  putPolicy(body: PutPolicyRequestBody): Promise<PutPolicyResponseBody>;
  /** `PUT /v1/policy/weights`: new weights (one safetensors file's bytes) for the loaded model. */
  uploadWeights(safetensors: Uint8Array): Promise<PutPolicyResponseBody>;
  /** SGLang-compatible `POST /update_weights_from_disk`. */
  updateWeightsFromDisk(body: UpdateWeightsRequestBody): Promise<UpdateWeightsResponseBody>;
  /** OpenAI-compatible `GET /v1/models`, `POST /v1/completions`, `POST /v1/chat/completions`. */
  models(): Promise<ModelListBody>;
  completions(body: CompletionRequestBody): Promise<CompletionResponseBody>;
  chatCompletions(body: ChatCompletionRequestBody): Promise<ChatCompletionResponseBody>;
  health(): Promise<HealthBody>;
  /** `GET /ready`; a 503 (not ready) throws with code HTTP_503. */
  ready(): Promise<ReadyBody>;
  /** openapi-fetch over the generated `paths`, with the same retries, key and timeout. */
  raw: Client<paths>;
}

/**
 * A typed client of the rollout service generated from openapi/rollout.json, with the same
 * key, timeout and retries (429, 5xx, connection errors; Retry-After honoured) as the reward client.
 */
export function createRolloutClient(opts: RolloutClientOptions): RolloutClient {
  const { raw, unwrap } = typedClient<paths>(opts);
  return {
    raw,
    rollouts: (body) => unwrap('POST /v1/rollouts', raw.POST('/v1/rollouts', { body })),
    policy: () => unwrap('GET /v1/policy', raw.GET('/v1/policy')),
    putPolicy: (body) => unwrap('PUT /v1/policy', raw.PUT('/v1/policy', { body })),
    uploadWeights: (safetensors) =>
      unwrap(
        'PUT /v1/policy/weights',
        raw.PUT('/v1/policy/weights', {
          body: safetensors,
          bodySerializer: (b: unknown) => b as Uint8Array,
          headers: { 'content-type': 'application/octet-stream' },
        }),
      ),
    updateWeightsFromDisk: (body) =>
      unwrap('POST /update_weights_from_disk', raw.POST('/update_weights_from_disk', { body })),
    models: () => unwrap('GET /v1/models', raw.GET('/v1/models')),
    completions: (body) => unwrap('POST /v1/completions', raw.POST('/v1/completions', { body })),
    chatCompletions: (body) =>
      unwrap('POST /v1/chat/completions', raw.POST('/v1/chat/completions', { body })),
    health: () => unwrap('GET /health', raw.GET('/health')),
    ready: () => unwrap('GET /ready', raw.GET('/ready')),
  };
}
