import path from 'node:path';
import type { EvalRecord } from '@grpo/contracts';
import { startRewardServer } from '@grpo/reward-service';
import { startRolloutServer } from '@grpo/rollout-service';
import { PLOT_FILE, quickstartRecipe, startTrainerServer } from '@grpo/trainer-service';
import { train } from './train.js';

export interface QuickstartOptions {
  runsDir?: string;
  out: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface QuickstartResult {
  state: string;
  runDir: string;
  evals: EvalRecord[];
  plot: string;
}

/**
 * The quick-start: the reward, rollout and trainer services in this process on 127.0.0.1
 * (free ports), the built-in recipe submitted to the trainer over HTTP and followed like
 * `grpo train`, then held-out accuracy after SFT and after GRPO and the plot's path.
 */
export async function quickstart(o: QuickstartOptions): Promise<QuickstartResult> {
  // One process: a long train step holds the event loop, so the in-process services must not
  // shed load (503) while it runs.
  const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
  const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
  const rollout = await startRolloutServer(quiet, { signals: [], env: {} });
  const trainer = await startTrainerServer({ ...quiet, runsDir: o.runsDir ?? 'runs' }, { signals: [] });
  const stop = async () => {
    await trainer.close();
    await rollout.close();
    await reward.close();
  };
  // Ctrl-C: the trainer stops the run at a step boundary and checkpoints it (resumable).
  const onSignal = () => {
    o.out.write('\nstopping (the run checkpoints and can be resumed with grpo train --resume) ...\n');
    void stop().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    o.out.write(
      `services on loopback: reward ${reward.url}  rollout ${rollout.url}  trainer ${trainer.url}\n` +
        `dashboard: ${trainer.url}/dashboard\n`,
    );
    const recipe = quickstartRecipe({ rolloutUrl: rollout.url, rewardUrl: reward.url });
    const { status, evals } = await train({ trainerUrl: trainer.url, body: recipe, out: o.out });
    const plot = path.join(status.runDir, PLOT_FILE);
    o.out.write('\nheld-out accuracy\n');
    for (const e of evals)
      o.out.write(
        `  ${e.name.padEnd(14)} step ${String(e.step).padStart(4)}  ${(e.accuracy * 100).toFixed(1)}%\n`,
      );
    if (status.state === 'completed') o.out.write(`plot: ${plot}\nrun directory: ${status.runDir}\n`);
    return { state: status.state, runDir: status.runDir, evals, plot };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}
