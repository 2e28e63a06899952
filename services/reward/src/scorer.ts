import type { RewardComponent, RewardItemResult, RewardStats } from '@grpo/contracts';
import type {
  ResolvedRewardSpec,
  RewardItem,
  RewardRegistry,
  RewardResult,
  RewardSpecEntry,
} from '@grpo/rewards';
import type { RewardConfig } from './config.js';
import { ChunkTimeoutError, type CpuPool } from './pool.js';
import type { ScoreObserver } from './reward-metrics.js';
import { type ChunkOutput, checkResult, errorResult, scoreCpuChunk, type WireSpec } from './scoring.js';

export type ScorerLimits = Pick<
  RewardConfig,
  'maxCompletionChars' | 'itemTimeoutMs' | 'chunkTimeoutMs' | 'maxChunkItems' | 'asyncConcurrency'
>;

export interface ScoreOutput {
  results: RewardItemResult[];
  stats: RewardStats;
}

/**
 * Scores batches: cpu functions in the worker pool (or inline when there is none),
 * async functions on the event loop. Never rejects because of one item or one function:
 * every failure ends as that component's `error` status. Only an invalid spec throws
 * (RewardSpecError, before any work).
 */
export class RewardScorer {
  readonly registry: RewardRegistry;
  readonly #pool: CpuPool | undefined;
  readonly #limits: ScorerLimits;
  readonly #observer: ScoreObserver | undefined;

  /** `observer` gets every component's function, status and run time (the service's metrics). */
  constructor(
    registry: RewardRegistry,
    pool: CpuPool | undefined,
    limits: ScorerLimits,
    observer?: ScoreObserver,
  ) {
    this.registry = registry;
    this.#pool = pool;
    this.#limits = limits;
    this.#observer = observer;
  }

  async score(
    items: readonly RewardItem[],
    spec: readonly RewardSpecEntry[],
    field = 'rewards',
  ): Promise<ScoreOutput> {
    const started = performance.now();
    const resolved = this.registry.resolve(spec, field);
    const table: RewardResult[][] = items.map(() => new Array<RewardResult>(resolved.length));
    // Run time in seconds per component; stays undefined where the function did not finish.
    const times: Array<Array<number | undefined>> = items.map(() => new Array(resolved.length));
    const counters = { chunks: 0, retriedItems: 0 };

    const scorable: number[] = [];
    items.forEach((item, i) => {
      if (item.completion.length > this.#limits.maxCompletionChars) {
        const r = errorResult(
          'completion_too_long',
          `completion has ${item.completion.length} characters; the limit is ${this.#limits.maxCompletionChars}`,
        );
        for (let j = 0; j < resolved.length; j++) table[i]![j] = r;
      } else {
        scorable.push(i);
      }
    });

    const cpuCols = resolved.flatMap((r, j) => (r.fn.kind === 'cpu' ? [j] : []));
    const asyncCols = resolved.flatMap((r, j) => (r.fn.kind === 'async' ? [j] : []));
    await Promise.all([
      cpuCols.length ? this.#runCpu(items, scorable, resolved, cpuCols, table, times, counters) : undefined,
      asyncCols.length ? this.#runAsync(items, scorable, resolved, asyncCols, table, times) : undefined,
    ]);

    let errors = 0;
    let timeouts = 0;
    const results = items.map((item, i): RewardItemResult => {
      let total = 0;
      const components = resolved.map((spec, j): RewardComponent => {
        const r = table[i]![j]!;
        this.#observer?.component(spec.name, r.status, times[i]![j]);
        if (r.status === 'error') {
          errors++;
          if (r.reason === 'timeout') timeouts++;
        }
        // error and not_applicable carry score 0 (checkResult), so they add nothing to total.
        const weighted = spec.weight * r.score;
        total += weighted;
        return {
          name: spec.name,
          weight: spec.weight,
          score: r.score,
          weighted,
          status: r.status,
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
          ...(r.details !== undefined ? { details: r.details } : {}),
        };
      });
      return { id: item.id, total, components };
    });
    return {
      results,
      stats: {
        items: items.length,
        components: items.length * resolved.length,
        errors,
        timeouts,
        chunks: counters.chunks,
        retriedItems: counters.retriedItems,
        workers: this.#pool?.size ?? 0,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
    };
  }

  async #runCpu(
    items: readonly RewardItem[],
    rows: number[],
    resolved: ResolvedRewardSpec[],
    cols: number[],
    table: RewardResult[][],
    times: Array<Array<number | undefined>>,
    counters: { chunks: number; retriedItems: number },
  ): Promise<void> {
    const wire: WireSpec[] = cols.map((j) => ({
      name: resolved[j]!.name,
      weight: resolved[j]!.weight,
      params: resolved[j]!.params,
    }));
    const fill = (rowIdx: number[], out: ChunkOutput) => {
      rowIdx.forEach((i, k) => {
        cols.forEach((j, c) => {
          table[i]![j] = checkResult(wire[c]!.name, out.results[k]?.[c]);
          const s = out.seconds?.[k]?.[c];
          if (typeof s === 'number') times[i]![j] = s;
        });
      });
    };
    const pool = this.#pool;
    if (!pool) {
      // Inline mode (a registry without a module): no isolation, so no hard timeout either.
      fill(
        rows,
        scoreCpuChunk(
          this.registry,
          rows.map((i) => items[i]!),
          wire,
          this.#limits.itemTimeoutMs,
        ),
      );
      counters.chunks = rows.length ? 1 : 0;
      return;
    }
    const { itemTimeoutMs, chunkTimeoutMs, maxChunkItems } = this.#limits;
    // Several chunks per worker so a slow chunk does not leave the other workers idle at the end.
    const chunkSize = Math.max(1, Math.min(maxChunkItems, Math.ceil(rows.length / (pool.size * 4))));
    const chunks: number[][] = [];
    for (let s = 0; s < rows.length; s += chunkSize) chunks.push(rows.slice(s, s + chunkSize));
    counters.chunks = chunks.length;

    const runOne = async (i: number) => {
      try {
        fill([i], await pool.run([items[i]!], wire, itemTimeoutMs, itemTimeoutMs));
      } catch (err) {
        const r =
          err instanceof ChunkTimeoutError
            ? errorResult('timeout', `item exceeded its ${itemTimeoutMs} ms budget`)
            : errorResult('worker_error', err instanceof Error ? err.message : String(err));
        for (const j of cols) table[i]![j] = r;
      }
    };
    await Promise.all(
      chunks.map(async (chunk) => {
        const budget = Math.min(chunkTimeoutMs, itemTimeoutMs * chunk.length);
        try {
          fill(
            chunk,
            await pool.run(
              chunk.map((i) => items[i]!),
              wire,
              itemTimeoutMs,
              budget,
            ),
          );
        } catch {
          // The chunk overran or its worker died: isolate the culprit by re-running item by item.
          if (chunk.length === 1) return runOne(chunk[0]!);
          counters.retriedItems += chunk.length;
          await Promise.all(chunk.map(runOne));
        }
      }),
    );
  }

  async #runAsync(
    items: readonly RewardItem[],
    rows: number[],
    resolved: ResolvedRewardSpec[],
    cols: number[],
    table: RewardResult[][],
    times: Array<Array<number | undefined>>,
  ): Promise<void> {
    const jobs: Array<[number, number]> = [];
    for (const i of rows) for (const j of cols) jobs.push([i, j]);
    const { itemTimeoutMs, asyncConcurrency } = this.#limits;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const [i, j] = jobs[next++]!;
        const spec = resolved[j]!;
        const controller = new AbortController();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<RewardResult>((resolve) => {
          timer = setTimeout(() => {
            controller.abort();
            resolve(errorResult('timeout', `${spec.name} exceeded its ${itemTimeoutMs} ms budget`));
          }, itemTimeoutMs);
        });
        const t0 = performance.now();
        const call = (async () => {
          try {
            const out = await spec.fn.score(items[i]!, spec.params, {
              deadlineMs: Date.now() + itemTimeoutMs,
              signal: controller.signal,
            });
            const r = checkResult(spec.name, out);
            times[i]![j] = (performance.now() - t0) / 1000;
            return r;
          } catch (err) {
            return errorResult(
              'exception',
              err instanceof Error ? `${err.name}: ${err.message}` : String(err),
            );
          }
        })();
        table[i]![j] = await Promise.race([call, timeout]);
        clearTimeout(timer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(asyncConcurrency, jobs.length) }, worker));
  }
}
