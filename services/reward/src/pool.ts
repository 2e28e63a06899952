import type { RewardItem } from '@grpo/rewards';
import { Piscina } from 'piscina';
import type { ChunkOutput, WireSpec } from './scoring.js';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Atomics.waitAsync (ES2024; Node >= 16), typed here because the project's lib is older. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** Thrown when a chunk overran its budget and its worker was terminated. */
export class ChunkTimeoutError extends Error {
  constructor(budgetMs: number) {
    super(`chunk exceeded its ${budgetMs} ms budget; worker terminated`);
    this.name = 'ChunkTimeoutError';
  }
}

export interface CpuPoolOptions {
  workers: number;
  /** URL of a module exporting `createRegistry()`, imported by every worker. */
  registryModule: string;
}

/**
 * A piscina pool that scores chunks of items with cpu reward functions. A chunk's budget
 * starts when a worker picks it up; on overrun the task is aborted, which terminates the
 * worker (the only way to stop a synchronous loop) and piscina starts a fresh one.
 */
export class CpuPool {
  readonly size: number;
  readonly #pool: Piscina;

  constructor(opts: CpuPoolOptions) {
    this.size = opts.workers;
    // From source, worker-source.mjs registers tsx in the worker; from dist, worker.js runs as is.
    const entry = ext === '.ts' ? './worker-source.mjs' : './worker.js';
    const execArgv = ext === '.ts' ? ['--conditions=source'] : [];
    this.#pool = new Piscina({
      filename: new URL(entry, import.meta.url).href,
      minThreads: opts.workers,
      maxThreads: opts.workers,
      idleTimeout: 60_000,
      // Bounded queue: the service never holds more than this many chunks waiting.
      maxQueue: opts.workers * 1024,
      workerData: { registryModule: opts.registryModule },
      execArgv,
    });
    // Errors of individual tasks reach their callers; this keeps a worker crash from being unhandled.
    this.#pool.on('error', () => {});
  }

  /** Scores `items` with `spec` (scores and run times); rejects with ChunkTimeoutError when the chunk takes longer than budgetMs. */
  run(items: RewardItem[], spec: WireSpec[], itemTimeoutMs: number, budgetMs: number): Promise<ChunkOutput> {
    const controller = new AbortController();
    // Queue time is not charged: the budget starts when a worker sets `started` (a shared
    // Int32 it notifies). A MessagePort per task did the same but leaked about 1 KB of worker
    // heap per chunk (transferred ports are retained by the worker after close; measured with
    // bench/pool-probe.ts: live worker heap 16 -> 43 MB over 31k chunks, flat without them).
    // A worker that fails to load rejects the task through piscina, so a task never waits forever.
    const started = new Int32Array(new SharedArrayBuffer(4));
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const wait = waitAsync(started, 0, 0);
    const onStart = () => {
      if (!settled) timer = setTimeout(() => controller.abort(new ChunkTimeoutError(budgetMs)), budgetMs);
    };
    if (wait.async) void (wait.value as Promise<string>).then(onStart);
    else onStart();
    const task = this.#pool.run(
      { items, spec, itemTimeoutMs, started },
      { signal: controller.signal },
    ) as Promise<ChunkOutput>;
    return task
      .catch((err: unknown) => {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw err;
      })
      .finally(() => {
        settled = true;
        clearTimeout(timer);
        // Releases the waiter of a task that never started (aborted, or its worker failed).
        Atomics.notify(started, 0);
      });
  }

  /** Workers that are up (for readiness). */
  get threads(): number {
    return this.#pool.threads.length;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
