import type {
  GetRewardRequest,
  GetRewardResponse,
  HealthResponse,
  ReadyResponse,
  RewardFunctionsResponse,
  RewardsRequest,
  RewardsResponse,
} from '@grpo/contracts';
import { HttpClient, type HttpClientOptions } from './http.js';

/** Typed client of the reward service. */
export class RewardClient {
  readonly http: HttpClient;

  constructor(opts: HttpClientOptions) {
    this.http = new HttpClient(opts);
  }

  /** `POST /v1/rewards`: one result per item, in order. */
  score(request: RewardsRequest): Promise<RewardsResponse> {
    return this.http.request('POST', '/v1/rewards', request);
  }

  functions(): Promise<RewardFunctionsResponse> {
    return this.http.request('GET', '/v1/reward-functions');
  }

  /** OpenRLHF-compatible `POST /get_reward`. */
  getReward(request: GetRewardRequest): Promise<GetRewardResponse> {
    return this.http.request('POST', '/get_reward', request);
  }

  health(): Promise<HealthResponse> {
    return this.http.request('GET', '/health');
  }

  ready(): Promise<ReadyResponse> {
    return this.http.request('GET', '/ready');
  }
}
