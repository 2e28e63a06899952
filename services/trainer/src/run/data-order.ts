import { mulberry32 } from '../data/rng.js';

/** Mixes integers into a 32-bit seed (FNV-1a over the words), so (seed, stage, epoch) streams differ. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    let x = p | 0;
    for (let i = 0; i < 4; i++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193);
      x >>>= 8;
    }
  }
  return h >>> 0;
}

/** A Fisher–Yates permutation of 0..n-1 from a seed. */
export function permutation(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j] as number, p[i] as number];
  }
  return p;
}

/**
 * Dataset indices of step `stageStep` (1-based) of a stage: the stage walks through shuffled
 * epochs, a fresh permutation per epoch seeded by (seed, stage, epoch). The order is a pure
 * function of the step number, so a resumed run sees exactly the batches it would have seen:
 * the "data cursor" is the step counter itself.
 */
export function batchIndices(
  n: number,
  batch: number,
  seed: number,
  stage: number,
  stageStep: number,
): number[] {
  if (n <= 0) return [];
  const out: number[] = [];
  let cachedEpoch = -1;
  let perm: number[] = [];
  for (let j = 0; j < batch; j++) {
    const pos = (stageStep - 1) * batch + j;
    const epoch = Math.floor(pos / n);
    if (epoch !== cachedEpoch) {
      perm = permutation(n, deriveSeed(seed, stage, epoch));
      cachedEpoch = epoch;
    }
    out.push(perm[pos % n] as number);
  }
  return out;
}

/** Epoch and offset of the first example of a step, recorded in checkpoints for people reading them. */
export function dataCursor(n: number, batch: number, stageStep: number): { epoch: number; offset: number } {
  const pos = stageStep * batch;
  return n > 0 ? { epoch: Math.floor(pos / n), offset: pos % n } : { epoch: 0, offset: 0 };
}
