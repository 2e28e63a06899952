/**
 * The quick-start through the three real services (as `npm start` runs it: reward and trainer
 * in this process, rollout in a child process, on loopback) with parts of the recipe overridden, for measuring variants. Prints the run
 * directory and its held-out accuracies.
 *
 *   RUNS=/tmp/variants OVERRIDE='{"temperature":0.5,"grpoSteps":450,"keep":30}' \
 *     node --conditions=source --import tsx services/trainer/bench/quickstart-variants.ts
 *
 * OVERRIDE keys: data (fields of every arithmetic split: minDigits, maxDigits, ops, zhFraction), model (fields of the tiny policy: hiddenSize, layers, heads, kvHeads, seed), digits (operand digits of every split), trainCount, sftSteps, sftLr, grpoSteps,
 * grpoLr, temperature, topP, topK, groupSize, batch (prompts per GRPO step), maxTokens, algorithm
 * ({name, overrides}), from (a model folder, e.g. an earlier run's SFT checkpoint: the SFT stage is
 * skipped and GRPO starts from it), keep (checkpoints kept; with
 * eval-checkpoints.ts this gives held-out accuracy along the run without extra eval stages,
 * which would reset the optimizer), evalEvery (GRPO split into stages with an eval after each),
 * only (the first n stages), seed (the run seed: data order and sampling), stage (more fields of the GRPO stage, e.g. {"overlapRollout": true, "rolloutBatch": 16}).
 */
import fs from 'node:fs';
import { startRewardServer } from '@grpo/reward-service';
import { startTrainerServer } from '@grpo/trainer-service';
import { spawnRolloutService } from '../../../cli/src/quickstart.js';
import { train } from '../../../cli/src/train.js';
import { baseRecipe } from './base-recipe.js';

const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
const runsDir = process.env.RUNS ?? '/tmp/repro-runs';
// The rollout service loads the checkpoints the trainer pushes from runsDir (its model root).
const rollout = await spawnRolloutService({ GRPO_ROLLOUT_MODEL_ROOT: runsDir });
const trainer = await startTrainerServer({ ...quiet, runsDir }, { signals: [] });
// biome-ignore lint/suspicious/noExplicitAny: experiment script
const recipe = baseRecipe({ rolloutUrl: rollout.url, rewardUrl: reward.url }) as any;
const o = JSON.parse(process.env.OVERRIDE ?? '{}');
if (o.model) Object.assign(recipe.model.tiny, o.model);
if (o.digits)
  for (const k of ['train', 'eval', 'rl'])
    Object.assign(recipe.data[k], { minDigits: o.digits, maxDigits: o.digits });
if (o.data) for (const k of ['train', 'eval', 'rl']) Object.assign(recipe.data[k], o.data);
if (o.trainCount) recipe.data.train.count = o.trainCount;
if (o.sftSteps) recipe.stages[0].steps = o.sftSteps;
if (o.sftLr) recipe.stages[0].lr = o.sftLr;
if (o.grpoSteps) recipe.stages[2].steps = o.grpoSteps;
if (o.grpoLr) recipe.stages[2].lr = o.grpoLr;
if (o.temperature) recipe.stages[2].sampling.temperature = o.temperature;
if (o.maxTokens) for (const i of [1, 2, 3]) recipe.stages[i].sampling.maxTokens = o.maxTokens;
if (o.algorithm) recipe.stages[2].algorithm = o.algorithm;
for (const k of ['topP', 'topK']) if (o[k] !== undefined) recipe.stages[2].sampling[k] = o[k];
if (o.groupSize) recipe.stages[2].groupSize = o.groupSize;
if (o.batch) recipe.stages[2].batch = o.batch;
if (o.stage) Object.assign(recipe.stages[2], o.stage);
if (o.seed !== undefined) recipe.seed = o.seed;
if (o.evalEvery) {
  // Splits GRPO into stages with evals between them (each stage starts a fresh optimizer).
  const g = recipe.stages[2];
  const n = Math.round(g.steps / o.evalEvery);
  const parts = [];
  for (let i = 0; i < n; i++)
    parts.push(
      { ...g, name: `grpo-${i}`, steps: o.evalEvery },
      { ...recipe.stages[3], name: `eval-${(i + 1) * o.evalEvery}` },
    );
  recipe.stages = [recipe.stages[0], recipe.stages[1], ...parts];
}
if (o.keep) recipe.keepCheckpoints = o.keep;
if (o.only) recipe.stages = recipe.stages.slice(0, o.only);
if (o.from) {
  // Starts from a model folder (e.g. an SFT checkpoint of an earlier run) and skips the SFT stage.
  recipe.model = o.from;
  recipe.stages = recipe.stages.slice(1);
}
const out = fs.createWriteStream('/dev/null');
// biome-ignore lint/suspicious/noExplicitAny: experiment script
const { status, evals } = await train({ trainerUrl: trainer.url, body: recipe, out: out as any });
console.log(JSON.stringify({ runDir: status.runDir, evals: evals.map((e) => [e.name, e.accuracy]) }));
await trainer.close();
await rollout.close();
await reward.close();
