import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvalRecord, RunStatus } from '@grpo/contracts';
import { startRewardServer } from '@grpo/reward-service';
import {
  EVAL_GATE,
  PLOT_FILE,
  QUICKSTART_MIN_SFT_ACCURACY as QUICKSTART_MIN,
  quickstartRecipe,
  startTrainerServer,
} from '@grpo/trainer-service';
import { train } from './train.js';

export interface QuickstartOptions {
  runsDir?: string;
  /** The run seed; default the recipe's (1). */
  seed?: number;
  /** Most SFT steps; default the recipe's (1,600). */
  sftSteps?: number;
  out: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface QuickstartResult {
  state: string;
  runDir: string;
  evals: EvalRecord[];
  plot: string;
}

/**
 * The flags of this process that decide how modules load (--conditions, --import, --require,
 * --loader), for a child that must load the service the same way; not --eval, --test or others.
 */
export function loaderArgs(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    const flag = /^(--conditions|-C|--import|--require|-r|--loader|--experimental-loader)(=|$)/.exec(a);
    if (!flag) continue;
    if (flag[2] === '=') out.push(a);
    else {
      // The value is the next argument.
      const v = execArgv[i + 1];
      if (v !== undefined) out.push(a, v);
      i++;
    }
  }
  return out;
}

/**
 * The rollout service in a child process on 127.0.0.1 (a free port), so it samples on its own
 * core while the trainer's update holds this process (the recipe's `overlapRollout`). One ORT
 * thread: for the tiny policy a second one does not speed decoding up and would compete with
 * the trainer. `env` adds GRPO_ROLLOUT_* settings. The child exits when this process does.
 */
export async function spawnRolloutService(
  env: Record<string, string> = {},
): Promise<{ url: string; close(): Promise<void> }> {
  // The service's server entry next to the package's resolved index (dist/*.js, or src/*.ts
  // when this process runs the sources with --conditions=source).
  const index = import.meta.resolve('@grpo/rollout-service');
  const entry = fileURLToPath(new URL(`./server${path.extname(fileURLToPath(index))}`, index));
  const child = spawn(process.execPath, [...loaderArgs(process.execArgv), entry], {
    env: {
      ...process.env,
      GRPO_ROLLOUT_HOST: '127.0.0.1',
      GRPO_ROLLOUT_PORT: '0',
      GRPO_ROLLOUT_LOG_LEVEL: 'error',
      GRPO_ROLLOUT_INTRA_OP_THREADS: '1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { event?: string; url?: string }) => {
      if (m.event === 'listening' && m.url) resolve(m.url);
    });
    void exited.then(([code]) =>
      reject(new Error(`the rollout service exited with ${code} before listening`)),
    );
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The quick-start: the reward and trainer services in this process and the rollout service in
 * a child process, on 127.0.0.1 (free ports), the built-in recipe submitted to the trainer over
 * HTTP and followed like `grpo train`, then held-out accuracy after SFT and after GRPO and the
 * plot's path.
 */
export async function quickstart(o: QuickstartOptions): Promise<QuickstartResult> {
  // One process: a long train step holds the event loop, so the in-process services must not
  // shed load (503) while it runs.
  const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
  const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
  const runsDir = path.resolve(o.runsDir ?? 'runs');
  // The rollout service loads the weights the trainer pushes from the run directory. Tool calls
  // (recipes with tools) run in the rollout process: the reward service here shares this event
  // loop with the trainer's updates, and the HTTP hop measured 3.7x the in-process call latency
  // on this machine (README, tool-integrated rollouts).
  const rollout = await spawnRolloutService({
    GRPO_ROLLOUT_MODEL_ROOT: runsDir,
    GRPO_ROLLOUT_TOOL_EXECUTOR: 'inprocess',
    GRPO_ROLLOUT_TOOL_WORKERS: '1',
  });
  const trainer = await startTrainerServer({ ...quiet, runsDir }, { signals: [] });
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
    const recipe = quickstartRecipe({
      rolloutUrl: rollout.url,
      rewardUrl: reward.url,
      seed: o.seed,
      sftSteps: o.sftSteps,
    });
    const { status, evals } = await train({ trainerUrl: trainer.url, body: recipe, out: o.out });
    const plot = path.join(status.runDir, PLOT_FILE);
    o.out.write(checkLine(evals));
    o.out.write('\nheld-out accuracy\n');
    for (const e of evals.filter((r) => !isCheck(r)))
      o.out.write(
        `  ${e.name.padEnd(14)} step ${String(e.step).padStart(4)}  ${(e.accuracy * 100).toFixed(1)}%\n`,
      );
    if (status.state === 'completed') o.out.write(`plot: ${plot}\nrun directory: ${status.runDir}\n`);
    if (status.error?.code === EVAL_GATE)
      o.out.write(gateAdvice(status, recipe.seed, recipe.stages[0]?.steps ?? 1600));
    return { state: status.state, runDir: status.runDir, evals, plot };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

/** An sft stage's `until` check (`<stage>-check`), as opposed to an eval stage's record. */
const isCheck = (r: EvalRecord): boolean => r.name.endsWith('-check');

/**
 * The SFT stage's `until` checks on one line (`sft checks on 100 rl problems: 2.0% @500, ...`),
 * or nothing when the run made none.
 */
export function checkLine(evals: readonly EvalRecord[]): string {
  const checks = evals.filter(isCheck);
  const first = checks[0];
  if (!first) return '';
  const list = checks.map((r) => `${(r.accuracy * 100).toFixed(1)}% @${r.step}`).join(', ');
  return `\n${first.name.replace(/-check$/, '')} checks on ${first.count} ${first.split} problems: ${list}\n`;
}

/**
 * What `npm start` prints when the SFT cold start ended below the recipe's gate (the run stops
 * before GRPO): what happened, why, and what to do.
 */
export function gateAdvice(
  status: Pick<RunStatus, 'evals' | 'runDir' | 'checkpoints'>,
  seed: number,
  sftSteps: number,
): string {
  const e = status.evals[status.evals.length - 1];
  const acc = e ? `${(100 * e.accuracy).toFixed(1)}%` : 'too low';
  const sft = status.checkpoints.find((c) => c.name === 'sft')?.path ?? `${status.runDir}/checkpoints/sft`;
  return (
    `\nThe SFT cold start ended at ${acc} held-out accuracy, below the quick-start's ${(100 * QUICKSTART_MIN).toFixed(0)}% gate,\n` +
    'so GRPO was not started: from a policy that cannot yet line up the columns it samples almost no\n' +
    'correct answer and has nothing to learn from. This tiny policy leaves its SFT plateau at a step that\n' +
    'depends on the data order (the seed) and on how this CPU rounds; with some seeds it takes longer\n' +
    `than these ${sftSteps} SFT steps (README: "Limit: the SFT plateau depends on the data order").\n` +
    'What to do:\n' +
    `  - another seed:          npm start -- --seed ${seed + 1}\n` +
    `  - a longer SFT stage:    npm start -- --seed ${seed} --sft-steps ${2 * sftSteps}   (about 30 s per 100 SFT steps on 2 quiet cores)\n` +
    `  - look at the policy:    grpo serve rollout --model ${sft}\n`
  );
}
