import type { TSchema } from '@sinclair/typebox';

/**
 * How a reward component came out. Trainers need to tell these apart:
 * - `ok`: the check ran and the completion earned the score (e.g. the answer is right).
 * - `wrong`: the check ran and the completion is wrong.
 * - `unparseable`: nothing could be extracted from the completion (no answer, no code block).
 * - `not_applicable`: the function does not apply to this item (e.g. no reference given).
 * - `error`: the check itself failed (bad reference, timeout, sandbox crash); not the model's fault.
 */
export type RewardStatus = 'ok' | 'wrong' | 'unparseable' | 'not_applicable' | 'error';

/** One completion to score. `reference` is a bare answer string or an object whose fields the reward functions define. */
export interface RewardItem {
  id: string;
  prompt: string;
  completion: string;
  reference?: string | Record<string, unknown>;
  /** Target language of the reasoning, e.g. `en` or `zh`. */
  language?: string;
  /** Free-form task tag (e.g. `math`, `code`), used by callers to route items. */
  task?: string;
}

export interface RewardResult {
  /** The component's score before weighting. */
  score: number;
  status: RewardStatus;
  /** Short machine-readable reason for non-ok statuses, e.g. `timeout`, `no_answer`. */
  reason?: string;
  /** Function-specific details (extracted answer, tests passed, ...). Must be JSON-serializable. */
  details?: Record<string, unknown>;
}

export interface RewardContext {
  /** Absolute time (ms since epoch, `Date.now()` clock) after which work should stop with status `error`, reason `timeout`. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/**
 * A reward function. `cpu` functions are synchronous and pure, so the reward service runs them in
 * its worker pool; `async` functions wait on something outside the thread (e.g. the code sandbox's
 * processes) and run on the service's event loop.
 */
export interface RewardFunction<P = Record<string, unknown>> {
  name: string;
  /** One-paragraph description for `GET /v1/reward-functions` and the README. */
  description: string;
  /** TypeBox schema of the params; every field has a default so `{}` is valid. */
  params: TSchema;
  kind: 'cpu' | 'async';
  /**
   * Checks that need more than the schema (e.g. one param bounded by another). Throws a
   * RewardSpecError whose field is relative to the params object, e.g. `params.cacheLength`;
   * the registry calls it once per request, so a bad spec is a 400, not an error per item.
   */
  validate?(params: P): void;
  score(item: RewardItem, params: P, ctx: RewardContext): RewardResult | Promise<RewardResult>;
}
