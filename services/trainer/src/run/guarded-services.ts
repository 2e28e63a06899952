import {
  type PutPolicyRequest,
  type PutPolicyResponse,
  type RewardsRequest,
  RewardsResponse,
  type RolloutRequest,
  RolloutResponse,
} from '@grpo/contracts';
import { Value } from '@sinclair/typebox/value';
import { TrainerError } from '../errors.js';
import type { RunServices } from './services.js';

/** 502: the rollout or reward service kept answering with a body that is not its contract. */
export const BAD_SERVICE_REPLY = 'GRPO_TRAINER_BAD_SERVICE_REPLY';
/** 502: the rollout service kept serving other weights than the ones the trainer pushed. */
export const POLICY_LOST = 'GRPO_TRAINER_POLICY_LOST';

/** What the guard did, cumulative; the loop puts each step's increase in its metric row. */
export interface ServiceFaultStats {
  /** HTTP-level retries (5xx, 429, timeouts, connection errors) plus re-requests after a bad body. */
  retries: number;
  /** Weight pushes repeated because the rollout service had lost them (it was restarted). */
  resyncs: number;
}

export interface GuardOptions {
  /** Re-requests after a malformed body, and re-pushes after lost weights, per call. Default 2. */
  maxRepairs?: number;
  log?: { warn(o: object, msg: string): void };
}

/**
 * Wraps the HTTP services of a run so that what comes back is what the loop may train on:
 * - a body that does not match its contract (or has the wrong number of groups, completions or
 *   results) is requested again, then fails the run with GRPO_TRAINER_BAD_SERVICE_REPLY;
 * - a rollout made with weights other than the last pushed (the service restarted and serves
 *   its start-up policy) is discarded: the weights are pushed again and the rollout re-requested,
 *   so no step trains on stale samples; GRPO_TRAINER_POLICY_LOST when that keeps happening.
 * Transient HTTP failures are retried below it (libs/clients) and counted through `countRetry`.
 */
export class GuardedRunServices implements RunServices {
  readonly stats: ServiceFaultStats = { retries: 0, resyncs: 0 };
  private lastPut: { req: PutPolicyRequest; version: number } | null = null;
  private readonly maxRepairs: number;

  constructor(
    private readonly inner: RunServices,
    private readonly o: GuardOptions = {},
  ) {
    this.maxRepairs = o.maxRepairs ?? 2;
  }

  /** For the HTTP client's onRetry. */
  countRetry = (): void => {
    this.stats.retries++;
  };

  async putPolicy(req: PutPolicyRequest): Promise<PutPolicyResponse> {
    const res = await this.inner.putPolicy(req);
    this.lastPut = { req, version: res.version };
    return res;
  }

  async rollout(req: RolloutRequest): Promise<RolloutResponse> {
    // Versions a correct reply may carry: the one pushed when the request left, or a newer
    // push that landed while it ran (requests finish on the version they started with).
    const sentWith = this.lastPut?.version;
    for (let repair = 0; ; repair++) {
      const res = await this.inner.rollout(req);
      const problem = rolloutProblem(req, res);
      if (problem) {
        this.repairOrFail(repair, BAD_SERVICE_REPLY, `POST /v1/rollouts: ${problem}`);
        continue;
      }
      const expected = this.lastPut;
      if (!expected || res.policyVersion === expected.version || res.policyVersion === sentWith) return res;
      // Not the weights the trainer pushed: the rollout service was restarted (or re-loaded by
      // someone else). Push again and sample again.
      this.repairOrFail(
        repair,
        POLICY_LOST,
        `the rollout service sampled with policy version ${res.policyVersion}, not the pushed ${expected.version}`,
      );
      this.stats.resyncs++;
      await this.putPolicy(expected.req);
    }
  }

  async reward(req: RewardsRequest): Promise<RewardsResponse> {
    for (let repair = 0; ; repair++) {
      const res = await this.inner.reward(req);
      const problem = !Value.Check(RewardsResponse, res)
        ? 'the body is not a RewardsResponse'
        : res.results.length !== req.items.length
          ? `${res.results.length} results for ${req.items.length} items`
          : null;
      if (!problem) return res;
      this.repairOrFail(repair, BAD_SERVICE_REPLY, `POST /v1/rewards: ${problem}`);
    }
  }

  private repairOrFail(repair: number, code: string, message: string): void {
    if (repair >= this.maxRepairs) {
      throw new TrainerError(code, code === POLICY_LOST ? 'rolloutUrl' : 'services', message, 502);
    }
    this.stats.retries++;
    this.o.log?.warn({ code, repair: repair + 1 }, message);
  }
}

/** Why a rollout reply cannot be trained on, or null when it matches the request. */
export function rolloutProblem(req: RolloutRequest, res: unknown): string | null {
  if (!Value.Check(RolloutResponse, res)) return 'the body is not a RolloutResponse';
  if (res.groups.length !== req.prompts.length)
    return `${res.groups.length} groups for ${req.prompts.length} prompts`;
  const g = req.groupSize ?? 1;
  const bad = res.groups.findIndex(
    (x) => x.completions.length !== g || x.completions.some((c) => c.tokenIds.length !== c.logprobs.length),
  );
  return bad >= 0 ? `group ${bad} has the wrong number of completions or logprobs` : null;
}
