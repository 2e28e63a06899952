import type { LrSchedule } from '@grpo/contracts';

/**
 * Learning rate of step `stageStep` (1-based) of a stage with `steps` steps and peak `lr`:
 * linear warmup over `warmupSteps` (the first step gets lr / warmupSteps, not 0), then
 * constant or a half-cosine decay to `minLrRatio * lr` at the last step (Loshchilov & Hutter,
 * SGDR, 2017; the shape HF `get_cosine_schedule_with_warmup` uses). Computed on the host.
 */
export function lrAt(
  lr: number,
  schedule: Partial<LrSchedule> | undefined,
  stageStep: number,
  steps: number,
): number {
  const kind = schedule?.kind ?? 'constant';
  const warmup = schedule?.warmupSteps ?? 0;
  const floor = schedule?.minLrRatio ?? 0;
  if (warmup > 0 && stageStep <= warmup) return (lr * stageStep) / warmup;
  if (kind === 'constant') return lr;
  const span = Math.max(1, steps - warmup - 1);
  const progress = Math.min(1, Math.max(0, (stageStep - warmup - 1) / span));
  return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
