import type { RewardFunction, RewardItem, RewardRegistry, RewardResult, RewardStatus } from '@grpo/rewards';

/** A resolved spec entry as it crosses to a pool worker (functions are looked up there by name). */
export interface WireSpec {
  name: string;
  weight: number;
  params: Record<string, unknown>;
}

const statuses = new Set<RewardStatus>(['ok', 'wrong', 'unparseable', 'not_applicable', 'error']);

export function errorResult(reason: string, message?: string): RewardResult {
  return { score: 0, status: 'error', reason, ...(message ? { details: { message } } : {}) };
}

/**
 * Checks what a function returned, so one buggy function yields an `error` component
 * instead of a NaN total or an unserializable reply.
 */
export function checkResult(name: string, r: unknown): RewardResult {
  const res = r as RewardResult | undefined;
  if (!res || typeof res !== 'object') return errorResult('bad_result', `${name} returned ${String(r)}`);
  if (!statuses.has(res.status))
    return errorResult('bad_result', `${name} returned status ${String(res.status)}`);
  if (typeof res.score !== 'number' || !Number.isFinite(res.score)) {
    return errorResult('bad_result', `${name} returned score ${String(res.score)}`);
  }
  if (res.status === 'error' || res.status === 'not_applicable') return { ...res, score: 0 };
  return res;
}

/** Runs one sync function on one item; an exception becomes an `error` result with its message. */
export function scoreSync(
  fn: RewardFunction,
  item: RewardItem,
  params: Record<string, unknown>,
  deadlineMs: number,
) {
  try {
    const out = fn.score(item, params, { deadlineMs });
    if (out instanceof Promise) {
      out.catch(() => {});
      return errorResult('bad_result', `${fn.name} is kind cpu but returned a promise`);
    }
    // A function that overran its budget without noticing still reports a timeout.
    if (Date.now() > deadlineMs) return errorResult('timeout', `${fn.name} exceeded the item time budget`);
    return checkResult(fn.name, out);
  } catch (err) {
    return errorResult('exception', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
}

/** A chunk's scores and each function's run time on each item: `results[item][fn]`, `seconds[item][fn]`. */
export interface ChunkOutput {
  results: RewardResult[][];
  seconds: number[][];
}

/**
 * Scores a chunk of items with the cpu functions of a spec: `out.results[item][spec entry]`.
 * Each item gets `itemTimeoutMs` for all its functions together. Run times are measured here
 * (inside the worker) so the latency metric is the function's, not the pool queue's.
 */
export function scoreCpuChunk(
  registry: RewardRegistry,
  items: readonly RewardItem[],
  spec: readonly WireSpec[],
  itemTimeoutMs: number,
): ChunkOutput {
  const fns = spec.map((s) => {
    const fn = registry.get(s.name);
    if (!fn) throw new Error(`reward function "${s.name}" is not registered in the worker registry`);
    return fn;
  });
  const seconds: number[][] = [];
  const results = items.map((item) => {
    const deadlineMs = Date.now() + itemTimeoutMs;
    const row: number[] = [];
    seconds.push(row);
    return fns.map((fn, j) => {
      const t0 = performance.now();
      const r = scoreSync(fn, item, spec[j]!.params, deadlineMs);
      row.push((performance.now() - t0) / 1000);
      return r;
    });
  });
  return { results, seconds };
}
