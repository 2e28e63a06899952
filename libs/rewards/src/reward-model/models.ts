import { MicroBatcher } from './batcher.js';
import {
  DEFAULT_BATCH_WAIT_MS,
  DEFAULT_MAX_BATCH_TOKENS,
  type RewardModelEntry,
  type RewardModelTable,
  rewardModelTableFromEnv,
  toRewardModelTable,
} from './config.js';
import { MODEL_NOT_FOUND, RewardModelError } from './errors.js';
import { type LoadedRewardModel, loadRewardModel } from './loader.js';

/** A loaded model and the micro-batcher in front of its session. */
export interface ServedRewardModel {
  readonly model: LoadedRewardModel;
  readonly batcher: MicroBatcher;
}

/**
 * The named reward models of one process: each loaded lazily on first use into one ORT
 * session (a failed load is not cached, so a fixed folder works on the next request) and
 * kept until `close()`.
 */
export class RewardModelSet {
  readonly table: RewardModelTable;
  readonly #loaded = new Map<string, Promise<ServedRewardModel>>();

  constructor(table: RewardModelTable) {
    this.table = table;
  }

  names(): string[] {
    return Object.keys(this.table).sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.table, name);
  }

  /** The error for a name that is not configured; lists the configured ones. */
  notFound(name: string, field = 'params.model'): RewardModelError {
    const names = this.names();
    return new RewardModelError(
      MODEL_NOT_FOUND,
      field,
      `unknown reward model ${JSON.stringify(name)}; configured: ${names.length ? names.join(', ') : '(none: set GRPO_REWARD_MODELS)'}`,
    );
  }

  /** The model with its batcher, loading it on first use. */
  get(name: string): Promise<ServedRewardModel> {
    if (!this.has(name)) return Promise.reject(this.notFound(name));
    let p = this.#loaded.get(name);
    if (!p) {
      const entry = this.table[name] as RewardModelEntry;
      p = loadRewardModel(name, entry).then((model) => ({
        model,
        batcher: new MicroBatcher(model.run, {
          waitMs: entry.batchWaitMs ?? DEFAULT_BATCH_WAIT_MS,
          maxBatchTokens: entry.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS,
        }),
      }));
      this.#loaded.set(name, p);
      p.catch(() => this.#loaded.delete(name));
    }
    return p;
  }

  /** Loads the named models (default: all) now, so the first request does not pay for it. */
  async warm(names: readonly string[] = this.names()): Promise<void> {
    await Promise.all(names.map((n) => this.get(n)));
  }

  /** Releases every loaded session. */
  async close(): Promise<void> {
    const loaded = [...this.#loaded.values()];
    this.#loaded.clear();
    await Promise.all(
      loaded.map(async (p) => {
        const served = await p.catch(() => null);
        await served?.model.release();
      }),
    );
  }
}

let current: RewardModelSet | undefined;

/**
 * The process-wide model set used by the `reward_model` function. Built from
 * `GRPO_REWARD_MODELS` on first use unless `configureRewardModels` set one; throws
 * `GRPO_REWARD_MODEL_CONFIG` when the env var is malformed.
 */
export function rewardModels(): RewardModelSet {
  current ??= new RewardModelSet(rewardModelTableFromEnv());
  return current;
}

/**
 * Replaces the process-wide model table (names → folder path or entry), releasing the
 * sessions of the previous one. `null` goes back to reading `GRPO_REWARD_MODELS` on next use.
 */
export async function configureRewardModels(
  table: Readonly<Record<string, string | RewardModelEntry>> | null,
): Promise<RewardModelSet | undefined> {
  const next = table ? new RewardModelSet(toRewardModelTable(table)) : undefined;
  const prev = current;
  current = next;
  await prev?.close();
  return next;
}

/** Loads the configured reward models (default: every one) into their sessions now. */
export function warmRewardModels(names?: readonly string[]): Promise<void> {
  return rewardModels().warm(names);
}

/** Releases every loaded reward model and forgets the table; the next use reads `GRPO_REWARD_MODELS` again. */
export async function closeRewardModels(): Promise<void> {
  const prev = current;
  current = undefined;
  await prev?.close();
}
