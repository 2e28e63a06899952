import path from 'node:path';
import type { RunConfig } from '@grpo/contracts';
import { createRng, createTinyPolicy, loadPolicy, savePolicy } from '@grpo/model';
import { BASE_MODEL_DIR, dataChars, loadRunData } from '../src/index.js';

/**
 * Writes `<runDir>/base-model` for a run config with a tiny model, with every initial weight
 * multiplied by (1 + eps * N(0, 1)) (seeded by `seed`): a stand-in for a machine whose kernels
 * round differently. The trainer finds the folder and starts from it instead of writing its own.
 * `initializerRange` replaces the tiny policy's init std (0.02) before the perturbation.
 */
export async function writePerturbedBase(
  config: RunConfig,
  runDir: string,
  eps: number,
  seed: number,
  initializerRange?: number,
): Promise<void> {
  if (typeof config.model === 'string') throw new Error('perturbation needs a {tiny} model');
  const dir = path.join(runDir, BASE_MODEL_DIR);
  const t = config.model.tiny;
  await createTinyPolicy({
    dir,
    ...t,
    seed: t.seed ?? 1,
    ...(initializerRange !== undefined ? { initializerRange } : {}),
    extraChars: t.extraChars ?? dataChars(loadRunData(config.data)),
  });
  if (eps === 0) return;
  const p = await loadPolicy(dir);
  const rng = createRng(seed, 7);
  for (const w of p.tensors.values()) {
    // Integer tensors (none in the tiny policy today) are left as they are.
    if (!(w.data instanceof Float32Array)) continue;
    for (let i = 0; i < w.data.length; i++) w.data[i]! *= 1 + eps * rng.normal();
  }
  await savePolicy(dir, { config: p.config, tensors: p.tensors });
}
