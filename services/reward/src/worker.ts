import { workerData } from 'node:worker_threads';
import type { RewardItem, RewardRegistry } from '@grpo/rewards';
import { type ChunkOutput, scoreCpuChunk, type WireSpec } from './scoring.js';

/** One pool task: a chunk of items and the cpu part of a resolved spec. */
export interface ChunkTask {
  items: RewardItem[];
  spec: WireSpec[];
  itemTimeoutMs: number;
  /** Set to 1 (and notified) when the worker picks the task up, so queue time is not charged to the budget. */
  started: Int32Array;
}

interface RegistryModule {
  createRegistry(): RewardRegistry;
}

// Each worker builds its own registry from the module named in workerData (functions cannot cross threads).
let registry: Promise<RewardRegistry> | undefined;
function getRegistry(): Promise<RewardRegistry> {
  registry ??= (import(workerData.registryModule as string) as Promise<RegistryModule>).then((m) =>
    m.createRegistry(),
  );
  return registry;
}

export default async function scoreChunk(task: ChunkTask): Promise<ChunkOutput> {
  const reg = await getRegistry();
  Atomics.store(task.started, 0, 1);
  Atomics.notify(task.started, 0);
  return scoreCpuChunk(reg, task.items, task.spec, task.itemTimeoutMs);
}
