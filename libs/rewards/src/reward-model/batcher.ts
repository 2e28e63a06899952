/** Runs one padded batch: token-id rows in, one logits row per input row out. */
export type BatchRunner = (rows: readonly (readonly number[])[]) => Promise<Float32Array[]>;

export interface MicroBatcherOptions {
  /** How long to wait for more items after the first one of a round arrives. */
  waitMs: number;
  /** Cap on rows × padded length per run; a single longer row still runs alone. */
  maxBatchTokens: number;
}

/** Counters since creation, for benchmarks and tests. */
export interface BatcherStats {
  /** session.run calls. */
  batches: number;
  rows: number;
  /** Real tokens fed. */
  tokens: number;
  /** Tokens fed including padding (rows × padded length summed over batches). */
  paddedTokens: number;
  /** Largest batch run. */
  maxBatchRows: number;
}

interface Pending {
  ids: readonly number[];
  /** The most rows this item accepts in one batch (the request's `batchSize`). */
  maxRows: number;
  resolve: (logits: Float32Array) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
}

/** Raised for an item whose signal fired before its batch ran. */
export class BatchAbortedError extends Error {
  constructor() {
    super('aborted before its batch ran');
    this.name = 'BatchAbortedError';
  }
}

/**
 * Collects the items submitted within `waitMs` (the reward service scores items one call at
 * a time, concurrently), sorts them by length so each batch pads little, and runs the
 * batches one after another: one session per model, one run at a time (a CPU session
 * already uses every core). Items arriving during a run wait for the next round.
 */
export class MicroBatcher {
  readonly #run: BatchRunner;
  readonly #opts: MicroBatcherOptions;
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /** Smallest `maxRows` among the queued items. */
  #minRows = Number.POSITIVE_INFINITY;
  readonly stats: BatcherStats = { batches: 0, rows: 0, tokens: 0, paddedTokens: 0, maxBatchRows: 0 };

  constructor(run: BatchRunner, opts: MicroBatcherOptions) {
    this.#run = run;
    this.#opts = opts;
  }

  /** Queues one row; resolves with its logits. `maxRows` ≥ 1 caps the batch it joins. */
  submit(ids: readonly number[], maxRows: number, signal?: AbortSignal): Promise<Float32Array> {
    if (signal?.aborted) return Promise.reject(new BatchAbortedError());
    return new Promise((resolve, reject) => {
      const rows = Math.max(1, maxRows);
      this.#queue.push({ ids, maxRows: rows, resolve, reject, signal });
      this.#minRows = Math.min(this.#minRows, rows);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running) return;
    // A full batch goes now: waiting longer cannot make it bigger.
    if (this.#queue.length >= this.#minRows) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#running = true;
      queueMicrotask(() => void this.#drain());
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, this.#opts.waitMs);
  }

  /** Splits length-sorted items into batches under both the row and the token caps. */
  plan(items: readonly Pending[]): Pending[][] {
    const sorted = [...items].sort((a, b) => a.ids.length - b.ids.length);
    const batches: Pending[][] = [];
    let cur: Pending[] = [];
    let rowsCap = Number.POSITIVE_INFINITY;
    for (const p of sorted) {
      const cap = Math.min(rowsCap, p.maxRows);
      // Sorted ascending, so p is the longest row so far: the padded size is rows × p's length.
      const fits = cur.length + 1 <= cap && (cur.length + 1) * p.ids.length <= this.#opts.maxBatchTokens;
      if (cur.length && !fits) {
        batches.push(cur);
        cur = [];
        rowsCap = Number.POSITIVE_INFINITY;
      }
      cur.push(p);
      rowsCap = Math.min(rowsCap, p.maxRows);
    }
    if (cur.length) batches.push(cur);
    return batches;
  }

  async #runCounted(rows: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const out = await this.#run(rows);
    if (out.length !== rows.length)
      throw new Error(`the model returned ${out.length} rows of logits for a batch of ${rows.length}`);
    this.stats.batches++;
    this.stats.rows += rows.length;
    this.stats.paddedTokens += rows.length * Math.max(...rows.map((r) => r.length));
    for (const r of rows) this.stats.tokens += r.length;
    this.stats.maxBatchRows = Math.max(this.stats.maxBatchRows, rows.length);
    return out;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length) {
        const taken = this.#queue;
        this.#queue = [];
        this.#minRows = Number.POSITIVE_INFINITY;
        for (const batch of this.plan(taken)) {
          const live = batch.filter((p) => {
            if (!p.signal?.aborted) return true;
            p.reject(new BatchAbortedError());
            return false;
          });
          if (!live.length) continue;
          try {
            const out = await this.#runCounted(live.map((p) => p.ids));
            for (const [i, p] of live.entries()) p.resolve(out[i] as Float32Array);
          } catch (err) {
            if (live.length === 1) {
              live[0]?.reject(err);
              continue;
            }
            // One bad row (e.g. an id past the embedding) must not fail its neighbours: rerun alone.
            for (const p of live) {
              try {
                p.resolve((await this.#runCounted([p.ids]))[0] as Float32Array);
              } catch (e) {
                p.reject(e);
              }
            }
          }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
