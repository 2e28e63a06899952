// The tool recipe, both arms on the same budget: SFT on tool traces then GRPO with tools,
// against answer-only SFT then GRPO without tools (3-digit multiplication by default, tiny policy).
// Runs the three services in this process over HTTP on 127.0.0.1 (tool calls in-process in
// the rollout service) and prints held-out accuracy after SFT and after GRPO, the tool-call
// rate and the GRPO step time. RECIPE_SFT_STEPS, RECIPE_GRPO_STEPS, RECIPE_EVAL, RECIPE_DIGITS change it.
// Run: node --conditions=source --import tsx services/trainer/bench/tool-recipe.ts
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EvalRecord, MetricRow, RunStatus } from '@grpo/contracts';
import { startRewardServer } from '@grpo/reward-service';
import { startRolloutServer } from '@grpo/rollout-service';
import { startTrainerServer, toolRecipe } from '../src/index.js';

const sftSteps = Number(process.env.RECIPE_SFT_STEPS ?? 1000);
const grpoSteps = Number(process.env.RECIPE_GRPO_STEPS ?? 30);
const evalCount = Number(process.env.RECIPE_EVAL ?? 100);
const digits = Number(process.env.RECIPE_DIGITS ?? 3);
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-tool-recipe-'));
const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
const rollout = await startRolloutServer(
  { ...quiet, toolExecutor: 'inprocess', toolWorkers: 2, intraOpThreads: 1 },
  { signals: [], env: {} },
);
const trainer = await startTrainerServer({ ...quiet, runsDir: tmp }, { signals: [] });

const readJsonl = async <T>(file: string): Promise<T[]> =>
  (await fs.readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

async function arm(tools: boolean) {
  const runDir = path.join(tmp, tools ? 'tools' : 'no-tools');
  const config = toolRecipe({
    tools,
    rolloutUrl: rollout.url,
    rewardUrl: reward.url,
    runDir,
    sftSteps,
    grpoSteps,
    evalCount,
    digits,
  });
  const t0 = performance.now();
  const res = await fetch(`${trainer.url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  const { id } = (await res.json()) as RunStatus;
  for (;;) {
    const s = (await (await fetch(`${trainer.url}/v1/runs/${id}`)).json()) as RunStatus;
    if (s.state === 'failed') throw new Error(JSON.stringify(s.error));
    if (s.state === 'completed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const rows = await readJsonl<MetricRow>(path.join(runDir, 'metrics.jsonl'));
  const evals = await readJsonl<EvalRecord>(path.join(runDir, 'evals.jsonl'));
  const grpo = rows.filter((r) => r.stageType === 'grpo');
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const last = grpo.slice(-5);
  return {
    arm: tools ? 'tools' : 'no tools',
    sftAcc: evals.find((e) => e.name === 'eval-sft')?.accuracy ?? null,
    grpoAcc: evals.find((e) => e.name === 'eval-grpo')?.accuracy ?? null,
    trainRewardFirst5: mean(grpo.slice(0, 5).map((r) => r.rewardMean ?? 0)),
    trainRewardLast5: mean(last.map((r) => r.rewardMean ?? 0)),
    callRate: tools ? mean(last.map((r) => r.tools?.callRate ?? 0)) : 0,
    stepMs: mean(grpo.map((r) => r.timeStepMs)),
    toolMsPerTraj: tools ? mean(grpo.map((r) => r.tools?.toolMsMean ?? 0)) : 0,
    wallS: (performance.now() - t0) / 1000,
  };
}

try {
  console.log(
    `tool recipe: ${digits}-digit operands, SFT ${sftSteps} steps, GRPO ${grpoSteps} steps, eval ${evalCount}; ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const out = [await arm(true), await arm(false)];
  console.log(
    '| arm | held-out acc after SFT | after GRPO | train reward first 5 -> last 5 GRPO steps | tool-call rate (last 5) | GRPO step (s) | tool ms / trajectory | run wall (s) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of out)
    console.log(
      `| ${r.arm} | ${r.sftAcc?.toFixed(3)} | ${r.grpoAcc?.toFixed(3)} | ${r.trainRewardFirst5.toFixed(3)} -> ${r.trainRewardLast5.toFixed(3)} | ${r.callRate.toFixed(2)} | ${(r.stepMs / 1000).toFixed(2)} | ${r.toolMsPerTraj.toFixed(0)} | ${r.wallS.toFixed(0)} |`,
    );
} finally {
  await trainer.close();
  await rollout.close();
  await reward.close();
  await fs.rm(tmp, { recursive: true, force: true });
}
