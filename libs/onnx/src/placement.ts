import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OnnxError, RUN_FAILED } from './errors.js';
import { OnnxSession, type SessionOptions } from './session.js';
import type { Tensor } from './tensor.js';

/** One node of the optimized graph as ORT ran it. */
export interface NodePlacement {
  /** Node name after ORT's optimizations (fused nodes get new names). */
  name: string;
  opType: string;
  /** ORT's provider name, e.g. `WebGpuExecutionProvider`, `CPUExecutionProvider`. */
  provider: string;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; provider?: string };
}

/**
 * Runs `model` once with `feeds` under ORT's profiler and returns where every node ran, from
 * the profile's `Node` events (one per kernel launch; a node is listed once). This is how the
 * placement tests and the GPU check prove that nothing falls back to the CPU provider: ORT
 * assigns a node the CPU provider when the requested one has no kernel for it, and inserts
 * copies around it. The session is released before returning.
 */
export async function nodePlacement(
  model: Uint8Array,
  feeds: Record<string, Tensor>,
  options: SessionOptions = {},
): Promise<NodePlacement[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-placement-'));
  try {
    const s = await OnnxSession.create(model, {
      ...options,
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'profile'),
    });
    try {
      await s.run(feeds);
      s.endProfiling();
    } finally {
      await s.release();
    }
    return await placementFromProfiles(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Node placement from the one ORT profile (`enableProfiling`, then `endProfiling()`) written
 * under `dir`: for sessions made elsewhere, e.g. a trainer's step session.
 */
export async function placementFromProfiles(dir: string): Promise<NodePlacement[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json'));
  if (files.length !== 1) {
    throw new OnnxError(RUN_FAILED, 'profile', `expected one ORT profile in ${dir}, found ${files.length}`);
  }
  const events = JSON.parse(await fs.readFile(path.join(dir, files[0]!), 'utf8')) as ProfileEvent[];
  const seen = new Map<string, NodePlacement>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.args?.provider || !e.name) continue;
    // Each node reports `<name>_fence_before`, `<name>_kernel_time`, `<name>_fence_after`.
    const name = e.name.replace(/_(kernel_time|fence_before|fence_after)$/, '');
    if (!seen.has(name)) seen.set(name, { name, opType: e.args.op_name ?? '?', provider: e.args.provider });
  }
  return [...seen.values()];
}

/** Nodes not on `provider`, counted by op type, e.g. `{ LogSoftmax: 1 }`. */
export function offProvider(nodes: readonly NodePlacement[], provider: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) if (n.provider !== provider) out[n.opType] = (out[n.opType] ?? 0) + 1;
  return out;
}

/** ORT's name of the WebGPU execution provider in profiles and logs. */
export const WEBGPU_PROVIDER = 'WebGpuExecutionProvider';
