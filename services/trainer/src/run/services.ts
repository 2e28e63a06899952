import {
  createRewardClient,
  createRolloutClient,
  type RetryInfo,
  type RewardClient,
  type RolloutClient,
} from '@grpo/clients';
import type {
  PutPolicyRequest,
  PutPolicyResponse,
  RewardsRequest,
  RewardsResponse,
  RolloutRequest,
  RolloutResponse,
} from '@grpo/contracts';

/** The two services a run talks to. An interface so the loop can be driven in-process in tests. */
export interface RunServices {
  rollout(req: RolloutRequest): Promise<RolloutResponse>;
  putPolicy(req: PutPolicyRequest): Promise<PutPolicyResponse>;
  reward(req: RewardsRequest): Promise<RewardsResponse>;
  /** Retries and weight re-pushes so far (GuardedRunServices); the loop reports each step's share. */
  readonly stats?: { retries: number; resyncs: number };
}

export interface HttpRunServicesOptions {
  rolloutUrl: string;
  rewardUrl: string;
  /** Per attempt; a weight load or a large rollout batch can take minutes on a CPU. */
  timeoutMs: number;
  rolloutApiKey?: string;
  rewardApiKey?: string;
  /** Extra attempts per call after a 5xx, 429, timeout or connection error (default 6). */
  retries?: number;
  /** First backoff, doubling with full jitter up to maxBackoffMs (defaults 200 and 10 000 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  onRetry?: (info: RetryInfo) => void;
}

/**
 * `POST /v1/rollouts` and `PUT /v1/policy` on the rollout service, `POST /v1/rewards` on the
 * reward service, through the clients generated from openapi/rollout.json and
 * openapi/reward.json (libs/clients): bearer keys, retries of 5xx, 429 and connection errors
 * with backoff and Retry-After, and a ServiceClientError with the service's code otherwise.
 */
export class HttpRunServices implements RunServices {
  private readonly rolloutClient: RolloutClient;
  private readonly rewardClient: RewardClient;

  constructor(o: HttpRunServicesOptions) {
    const key = (k: string | undefined) => (k ? { apiKey: k } : {});
    const retry = {
      retries: o.retries ?? 6,
      backoffMs: o.backoffMs ?? 200,
      maxBackoffMs: o.maxBackoffMs ?? 10_000,
      onRetry: o.onRetry,
    };
    this.rolloutClient = createRolloutClient({
      baseUrl: o.rolloutUrl,
      timeoutMs: o.timeoutMs,
      ...retry,
      ...key(o.rolloutApiKey),
    });
    this.rewardClient = createRewardClient({
      baseUrl: o.rewardUrl,
      timeoutMs: o.timeoutMs,
      ...retry,
      ...key(o.rewardApiKey),
    });
  }

  rollout(req: RolloutRequest): Promise<RolloutResponse> {
    return this.rolloutClient.rollouts(req);
  }

  putPolicy(req: PutPolicyRequest): Promise<PutPolicyResponse> {
    return this.rolloutClient.putPolicy(req);
  }

  reward(req: RewardsRequest): Promise<RewardsResponse> {
    return this.rewardClient.score(req);
  }
}
