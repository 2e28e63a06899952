import { MessageChannel } from 'node:worker_threads';
import type { RewardItem } from '@grpo/rewards';
import { Piscina } from 'piscina';
import type { ChunkOutput, WireSpec } from './scoring.js';

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

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
    const { port1, port2 } = new MessageChannel();
    // Queue time is not charged: the budget starts when a worker posts 'start'. A worker that
    // fails to load rejects the task through piscina, so a task never waits forever.
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => {
      timer = setTimeout(() => controller.abort(new ChunkTimeoutError(budgetMs)), budgetMs);
    });
    const task = this.#pool.run(
      { items, spec, itemTimeoutMs, port: port2 },
      { transferList: [port2], signal: controller.signal },
    ) as Promise<ChunkOutput>;
    return task
      .catch((err: unknown) => {
        if (controller.signal.aborted) throw controller.signal.reason;
        throw err;
      })
      .finally(() => {
        clearTimeout(timer);
        port1.close();
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
