/**
 * The quick-start's SFT cold start alone, for several run seeds: when does each seed leave the
 * 0% plateau? Runs the recipe's SFT stage through the trainer (in this process, no rollout or
 * reward service), keeps a checkpoint every `EVAL_EVERY` steps and then scores each one greedily
 * on the first `EVAL_N` problems of the recipe's held-out split (the same prompts, chat template
 * and accuracy reward as the recipe's eval stages, on fewer problems).
 *
 *   SEEDS=1,2,3 EVAL_EVERY=100 EVAL_N=200 OVERRIDE='{"data":{"trace":"shrinking"}}' \
 *     node --conditions=source --import tsx services/trainer/bench/sft-seeds.ts
 *
 * OVERRIDE keys: data (fields of every arithmetic split, e.g. trace), trainCount, trainData
 * (fields of the train split only, e.g. {"minDigits":1}), initStd (the tiny policy's init std,
 * default 0.02), model (tiny policy fields), sftSteps, sftLr, schedule (the SFT stage's
 * schedule), batch, maxTokens (of the greedy scoring; default the recipe's eval-sft stage's). PERTURB=eps multiplies every initial weight by (1 + eps * N(0, 1)) (seeded
 * by PSEED, default 1), a stand-in for another machine's rounding. Prints one JSON line per
 * seed: the accuracy at each kept checkpoint, the first step at or above 20%, SFT wall time.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadPolicy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry } from '@grpo/rewards';
import { chatPromptIds, loadRunData, startTrainerServer } from '@grpo/trainer-service';
import { train } from '../../../cli/src/train.js';
import { baseRecipe } from './base-recipe.js';
import { writePerturbedBase } from './perturb.js';

const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const every = Number(process.env.EVAL_EVERY ?? 100);
const evalN = Number(process.env.EVAL_N ?? 200);
const perturb = Number(process.env.PERTURB ?? 0);
const pseed = Number(process.env.PSEED ?? 1);
const o = JSON.parse(process.env.OVERRIDE ?? '{}');
const runsDir = process.env.RUNS ?? '/tmp/sft-seeds';
const acc = createDefaultRegistry().resolve([{ name: 'accuracy', weight: 1 }])[0]!;

const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
const trainer = await startTrainerServer({ ...quiet, runsDir }, { signals: [] });
for (const seed of seeds) {
  const urls = { rolloutUrl: 'http://127.0.0.1:9', rewardUrl: 'http://127.0.0.1:9' };
  // biome-ignore lint/suspicious/noExplicitAny: experiment script
  const recipe = baseRecipe(urls) as any;
  if (o.model) Object.assign(recipe.model.tiny, o.model);
  if (o.data) for (const k of ['train', 'eval', 'rl']) Object.assign(recipe.data[k], o.data);
  if (o.trainCount) recipe.data.train.count = o.trainCount;
  if (o.trainData) Object.assign(recipe.data.train, o.trainData);
  const sft = recipe.stages[0];
  // Every kept checkpoint is scored below; the stage trains all its steps (no `until` stop).
  delete sft.until;
  if (o.sftSteps) sft.steps = o.sftSteps;
  if (o.sftLr) sft.lr = o.sftLr;
  if (o.schedule) sft.schedule = o.schedule;
  if (o.batch) sft.batch = o.batch;
  // Checkpoints are scored as the recipe's eval-sft stage decodes them.
  const maxTokens = o.maxTokens ?? recipe.stages[1]?.sampling?.maxTokens ?? 256;
  recipe.stages = [sft];
  recipe.seed = seed;
  recipe.checkpointEvery = every;
  recipe.keepCheckpoints = Math.ceil(sft.steps / every) + 1;
  const tag = `${Date.now().toString(36)}-s${seed}${perturb ? `-p${pseed}` : ''}`;
  recipe.runDir = path.join(runsDir, tag);
  const data = loadRunData(recipe.data);
  if (perturb || o.initStd) await writePerturbedBase(recipe, recipe.runDir, perturb, pseed, o.initStd);
  const t0 = Date.now();
  const out = await fs.open('/dev/null', 'w');
  // biome-ignore lint/suspicious/noExplicitAny: experiment script
  await train({ trainerUrl: trainer.url, body: recipe, out: out.createWriteStream() as any });
  await out.close();
  const wallS = (Date.now() - t0) / 1000;
  const problems = data.eval.slice(0, evalN);
  const curve: Record<number, number> = {};
  const ckDir = path.join(recipe.runDir, 'checkpoints');
  const steps = (await fs.readdir(ckDir))
    .filter((d) => /^step-\d+$/.test(d))
    .map((d) => Number(d.slice(5)))
    .sort((a, b) => a - b);
  for (const step of steps) {
    const policy = await loadPolicy(path.join(ckDir, `step-${step}`));
    const engine = await PolicyEngine.create(policy, { session: { intraOpNumThreads: 2 } });
    let right = 0;
    for (let i = 0; i < problems.length; i += 64) {
      const chunk = problems.slice(i, i + 64);
      const res = await engine.generate({
        prompts: chunk.map((e) => chatPromptIds(policy.tokenizer, e.prompt)),
        maxTokens,
        temperature: 0,
        groupSize: 1,
        seed: 1,
      });
      for (const [j, e] of chunk.entries()) {
        const text = res.completions[j]![0]!.text ?? '';
        const r = await acc.fn.score(
          { id: e.id, prompt: e.prompt, completion: text, reference: e.answer },
          acc.params,
          {},
        );
        if (r.score === 1) right++;
      }
    }
    await engine.release();
    curve[step] = Number(((100 * right) / problems.length).toFixed(1));
  }
  const firstAt20 = steps.find((s) => (curve[s] ?? 0) >= 20) ?? null;
  console.log(
    JSON.stringify({
      seed,
      perturb: perturb ? { eps: perturb, seed: pseed } : null,
      override: o,
      wallS,
      evalN,
      curve,
      firstAt20,
    }),
  );
}
await trainer.close();
