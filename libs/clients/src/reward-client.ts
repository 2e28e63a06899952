import type { Client } from 'openapi-fetch';
import type { paths } from './generated/reward.generated.js';
import { type JsonBody, type TypedClientOptions, typedClient } from './typed-client.js';

/** Request and response bodies of the reward service, as generated from openapi/reward.json. */
type Op<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]>;
export type RewardsRequestBody = JsonBody<Op<'/v1/rewards', 'post'>['requestBody']>;
export type RewardsResponseBody = JsonBody<Op<'/v1/rewards', 'post'>['responses'][200]>;
export type RewardFunctionsBody = JsonBody<Op<'/v1/reward-functions', 'get'>['responses'][200]>;
export type GetRewardRequestBody = JsonBody<Op<'/get_reward', 'post'>['requestBody']>;
export type GetRewardResponseBody = JsonBody<Op<'/get_reward', 'post'>['responses'][200]>;
export type HealthBody = JsonBody<Op<'/health', 'get'>['responses'][200]>;
export type ReadyBody = JsonBody<Op<'/ready', 'get'>['responses'][200]>;

export type RewardClientOptions = TypedClientOptions;

/** The reward service client: typed methods that throw ServiceClientError, and the raw openapi-fetch client. */
export interface RewardClient {
  /** `POST /v1/rewards`: one result per item, in order. */
  score(body: RewardsRequestBody): Promise<RewardsResponseBody>;
  /** `GET /v1/reward-functions`. */
  functions(): Promise<RewardFunctionsBody>;
  /** OpenRLHF-compatible `POST /get_reward`. */
  getReward(body: GetRewardRequestBody): Promise<GetRewardResponseBody>;
  health(): Promise<HealthBody>;
  /** `GET /ready`; a 503 (not ready) throws with code HTTP_503. */
  ready(): Promise<ReadyBody>;
  /** openapi-fetch over the generated `paths`, with the same retries, key and timeout. */
  raw: Client<paths>;
}

/**
 * A typed client of the reward service generated from openapi/reward.json
 * (openapi-typescript types + openapi-fetch), with the API key as a bearer token, a timeout
 * per attempt, and retries with backoff for 429, 5xx and connection errors that honour
 * Retry-After.
 */
export function createRewardClient(opts: RewardClientOptions): RewardClient {
  const { raw, unwrap } = typedClient<paths>(opts);
  return {
    raw,
    score: (body) => unwrap('POST /v1/rewards', raw.POST('/v1/rewards', { body })),
    functions: () => unwrap('GET /v1/reward-functions', raw.GET('/v1/reward-functions')),
    getReward: (body) => unwrap('POST /get_reward', raw.POST('/get_reward', { body })),
    health: () => unwrap('GET /health', raw.GET('/health')),
    ready: () => unwrap('GET /ready', raw.GET('/ready')),
  };
}
