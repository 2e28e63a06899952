import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/reward.generated.js';
import { baseHeaders, errorFromResponse, type HttpClientOptions } from './http.js';
import { createRetryingFetch } from './retry-fetch.js';

/** Request and response bodies of the reward service, as generated from openapi/reward.json. */
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Op<P extends keyof paths, M extends 'get' | 'post'> = NonNullable<paths[P][M]>;
export type RewardsRequestBody = Json<Op<'/v1/rewards', 'post'>['requestBody']>;
export type RewardsResponseBody = Json<Op<'/v1/rewards', 'post'>['responses'][200]>;
export type RewardFunctionsBody = Json<Op<'/v1/reward-functions', 'get'>['responses'][200]>;
export type GetRewardRequestBody = Json<Op<'/get_reward', 'post'>['requestBody']>;
export type GetRewardResponseBody = Json<Op<'/get_reward', 'post'>['responses'][200]>;
export type HealthBody = Json<Op<'/health', 'get'>['responses'][200]>;
export type ReadyBody = Json<Op<'/ready', 'get'>['responses'][200]>;

export type RewardClientOptions = HttpClientOptions;

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

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * A typed client of the reward service generated from openapi/reward.json
 * (openapi-typescript types + openapi-fetch), with the API key as a bearer token, a timeout
 * per attempt, and retries with backoff for 429, 5xx and connection errors that honour
 * Retry-After.
 */
export function createRewardClient(opts: RewardClientOptions): RewardClient {
  const raw = createClient<paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: baseHeaders(opts),
    fetch: createRetryingFetch(opts),
  });
  const unwrap = async <T>(label: string, call: Promise<FetchResult<T>>): Promise<T> => {
    const { data, error, response } = await call;
    if (!response.ok || data === undefined) throw await errorFromResponse(response, label, error);
    return data;
  };
  return {
    raw,
    score: (body) => unwrap('POST /v1/rewards', raw.POST('/v1/rewards', { body })),
    functions: () => unwrap('GET /v1/reward-functions', raw.GET('/v1/reward-functions')),
    getReward: (body) => unwrap('POST /get_reward', raw.POST('/get_reward', { body })),
    health: () => unwrap('GET /health', raw.GET('/health')),
    ready: () => unwrap('GET /ready', raw.GET('/ready')),
  };
}
