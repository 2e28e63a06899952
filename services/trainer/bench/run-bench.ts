/**
 * Trainer overheads, in-process (no rollout/reward services): an SFT run of the tiny policy
 * through the run manager, reporting step time, tokens/s and checkpoint cost.
 *
 *   node --conditions=source --import tsx services/trainer/bench/run-bench.ts
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MetricRow } from '@grpo/contracts';
import { RunManager } from '../src/index.js';

const steps = Number(process.env.STEPS ?? 40);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-trainer-bench-'));
try {
  for (const checkpointEvery of [1000, 1]) {
    const manager = new RunManager({ runsDir: dir, serviceTimeoutMs: 60_000 });
    const t0 = performance.now();
    const status = await manager.create({
      model: { tiny: { hiddenSize: 64, layers: 2 } },
      data: { builtin: 'arithmetic', train: { count: 200 }, eval: { count: 10 } },
      stages: [{ type: 'sft', steps, batch: 8, lr: 3e-3 }],
      checkpointEvery,
    } as never);
    const run = manager.get(status.id);
    await run.done;
    const wall = performance.now() - t0;
    const rows = run.loop?.metrics.rows as MetricRow[];
    const tail = rows.slice(5);
    const ms = tail.reduce((a, r) => a + r.timeStepMs, 0) / tail.length;
    const tps = tail.reduce((a, r) => a + r.tokensPerSecond, 0) / tail.length;
    console.log(
      JSON.stringify({
        bench: 'sft-run',
        checkpointEvery,
        steps,
        batch: 8,
        stepMs: Number(ms.toFixed(1)),
        tokensPerS: Math.round(tps),
        wallS: Number((wall / 1000).toFixed(2)),
        perStepWithCheckpointsMs: Number((wall / steps).toFixed(1)),
      }),
    );
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
