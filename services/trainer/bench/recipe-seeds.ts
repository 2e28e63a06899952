/**
 * How robust is the quick-start recipe? Runs the whole recipe (as `npm start` does: reward and
 * trainer services in this process, the rollout service in a child process, over HTTP) once per
 * run seed and once per perturbation of the initial weights, and prints eval-sft, eval-grpo, the
 * gain and the wall time of each run, then the mean, min, max and standard deviation.
 *
 *   SEEDS=1,2,3,4,5 PERTURB=0.01 PSEEDS=1,2 RUNS=/tmp/recipe-seeds \
 *     node --conditions=source --import tsx services/trainer/bench/recipe-seeds.ts
 *
 * SEEDS: run seeds (data order and sampling) with the shipped initial weights. PERTURB=eps and
 * PSEEDS: runs at seed 1 whose initial weights are multiplied by (1 + eps * N(0, 1)), one per
 * PSEED, a stand-in for a machine whose kernels round differently. GATE=0 drops the recipe's
 * eval-sft gate, to see what GRPO does from a cold start still on the plateau; with the gate a
 * gated run shows eval-grpo as "gated". OVERRIDE: JSON merged into the recipe (top level).
 * SFT_STEPS: the shipped recipe's most SFT steps (as `npm start -- --sft-steps N`).
 * RECIPE=previous: the quick-start recipe shipped before the current one (300 `columns` traces,
 * 2 key/value heads, 800 SFT steps, 450 GRPO steps). RECIPE=running: the `running`-trace
 * candidate measured in the README (3,000 `running` traces, 2 key/value heads, SFT until 25% on
 * 100 rl problems checked every 50 steps from 600, at most 1,200; 350 GRPO steps; 300 tokens in
 * every stage that decodes). RECIPE=kv: the key/value-head candidate (4 key/value heads, 3,000
 * `columns` traces, SFT until 30% on 100 rl problems from step 500, at most 1,200; 300 GRPO
 * steps); RECIPE=kv-written: the same with the `written` trace; RECIPE=kv-written-1600: that
 * with SFT at most 1,600 steps (so the cosine schedule spans 1,600), the shipped recipe with 300
 * GRPO steps instead of 200.
 * RESUME=dir,...: instead, resume those run directories (under RUNS) stopped part-way, pointed at
 * this process's services (their config.json gets the new service URLs).
 * One JSON line per run as it ends, then a markdown table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ArithmeticTrace, EvalRecord, RunConfig, StageSpec } from '@grpo/contracts';
import { startRewardServer } from '@grpo/reward-service';
import { previousQuickstartRecipe, quickstartRecipe, startTrainerServer } from '@grpo/trainer-service';
import { spawnRolloutService } from '../../../cli/src/quickstart.js';
import { train } from '../../../cli/src/train.js';
import { writePerturbedBase } from './perturb.js';

const list = (v: string | undefined, d: string) => (v ?? d).split(',').filter(Boolean).map(Number);
const seeds = list(process.env.SEEDS, '1,2,3,4,5');
const eps = Number(process.env.PERTURB ?? 0);
const pseeds = eps ? list(process.env.PSEEDS, '1,2') : [];
const gate = process.env.GATE !== '0';
const override = JSON.parse(process.env.OVERRIDE ?? '{}') as Partial<RunConfig>;
const runsDir = process.env.RUNS ?? '/tmp/recipe-seeds';
/** SFT_STEPS: the recipe's most SFT steps, the span of its cosine schedule (`--sft-steps`). */
const sftSteps = process.env.SFT_STEPS ? Number(process.env.SFT_STEPS) : undefined;

interface Result {
  label: string;
  state: string;
  sft: number | null;
  grpo: number | null;
  wallS: number;
  runDir: string;
}

const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
const rollout = await spawnRolloutService({ GRPO_ROLLOUT_MODEL_ROOT: path.resolve(runsDir) });
const trainer = await startTrainerServer({ ...quiet, runsDir }, { signals: [] });
const resume = (process.env.RESUME ?? '').split(',').filter(Boolean);
const jobs = resume.length
  ? []
  : [
      ...seeds.map((seed) => ({ label: `seed ${seed}`, seed, pseed: 0 })),
      ...pseeds.map((pseed) => ({ label: `seed 1, init x(1+${eps}N) #${pseed}`, seed: 1, pseed })),
    ];
/** The recipe's builtin data with `trace` in every split and 3,000 training traces (both candidates). */
function candidateData(r: RunConfig, trace: ArithmeticTrace): RunConfig['data'] {
  if (!('builtin' in r.data)) throw new Error('the quick-start recipe has builtin data');
  const data = structuredClone(r.data);
  data.train = { ...data.train, count: 3000, trace };
  data.eval = { ...data.eval, trace };
  data.rl = { ...data.rl, trace };
  return data;
}
/** A tiny policy's model spec with `kvHeads` key/value heads. */
function withKvHeads(r: RunConfig, kvHeads: number): RunConfig['model'] {
  if (typeof r.model === 'string') throw new Error('the quick-start recipe has a tiny model');
  return { tiny: { ...r.model.tiny, kvHeads } };
}
/** The `running`-trace candidate (README: "The running trace"). */
function runningCandidate(r: RunConfig): RunConfig {
  const data = candidateData(r, 'running');
  const maxTokens = 300;
  const greedy = { temperature: 0, topP: 1, topK: 0, maxTokens };
  const [sft, evalSft, grpo, evalGrpo] = r.stages as [StageSpec, StageSpec, StageSpec, StageSpec];
  return {
    ...r,
    model: withKvHeads(r, 2),
    data,
    stages: [
      {
        ...sft,
        steps: 1200,
        sampling: greedy,
        until: { accuracy: 0.25, every: 50, from: 600, evalCount: 100, split: 'rl' },
      },
      { ...evalSft, sampling: greedy },
      { ...grpo, steps: 350, sampling: { ...(grpo.sampling ?? greedy), maxTokens } },
      { ...evalGrpo, sampling: greedy },
    ],
  };
}
/**
 * The key/value-head candidate (README: "A key/value head per attention head"): 4 key/value
 * heads instead of 2, 3,000 traces, SFT until 30% on 100 rl problems checked every 50 steps
 * from 500 (at most `sftSteps`, the span of the cosine schedule), 300 GRPO steps.
 */
function kvCandidate(r: RunConfig, trace: ArithmeticTrace, sftSteps = 1200): RunConfig {
  const data = candidateData(r, trace);
  const [sft, evalSft, grpo, evalGrpo] = r.stages as [StageSpec, StageSpec, StageSpec, StageSpec];
  return {
    ...r,
    model: withKvHeads(r, 4),
    data,
    stages: [
      {
        ...sft,
        steps: sftSteps,
        sampling: evalSft.sampling,
        until: { accuracy: 0.3, every: 50, from: 500, evalCount: 100, split: 'rl' },
      },
      evalSft,
      { ...grpo, steps: 300 },
      evalGrpo,
    ],
  };
}
const candidates: Record<string, (r: RunConfig) => RunConfig> = {
  previous: (r) =>
    previousQuickstartRecipe({ rolloutUrl: r.rolloutUrl ?? '', rewardUrl: r.rewardUrl ?? '', seed: r.seed }),
  running: runningCandidate,
  kv: (r) => kvCandidate(r, 'columns'),
  'kv-written': (r) => kvCandidate(r, 'written'),
  'kv-written-1600': (r) => kvCandidate(r, 'written', 1600),
};
const recipeOf = candidates[process.env.RECIPE ?? ''] ?? ((r: RunConfig) => r);
const results: Result[] = [];
/** Runs the trainer to the end of `body` (a recipe or `{resume}`) and records its result. */
async function runToEnd(label: string, body: object, runDir: string): Promise<void> {
  const t0 = Date.now();
  const out = process.env.VERBOSE ? process.stderr : fs.createWriteStream('/dev/null');
  const { status, evals } = await train({ trainerUrl: trainer.url, body, out, every: 100 });
  const acc = (name: string) => {
    // The last record of that name: a resumed run may repeat an eval stage it had finished.
    const e = evals.findLast((x: EvalRecord) => x.name === name);
    return e ? Number((100 * e.accuracy).toFixed(2)) : null;
  };
  const r: Result = {
    label,
    state: status.error ? `${status.state} ${status.error.code}` : status.state,
    sft: acc('eval-sft'),
    grpo: acc('eval-grpo'),
    wallS: Math.round((Date.now() - t0) / 1000),
    runDir,
  };
  results.push(r);
  console.log(JSON.stringify(r));
}
// RESUME: runs stopped part-way (e.g. to free the cores), pointed at this process's services.
for (const dir of resume) {
  const runDir = path.resolve(runsDir, dir);
  const file = path.join(runDir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(
    file,
    JSON.stringify({ ...config, rolloutUrl: rollout.url, rewardUrl: reward.url }, null, 2),
  );
  await runToEnd(`seed ${config.seed} (resumed)`, { resume: runDir }, runDir);
}
for (const job of jobs) {
  const recipe = {
    ...recipeOf(
      quickstartRecipe({ rolloutUrl: rollout.url, rewardUrl: reward.url, seed: job.seed, sftSteps }),
    ),
    ...override,
  };
  if (!gate) for (const s of recipe.stages) delete s.minAccuracy;
  const runDir = path.join(
    runsDir,
    `${Date.now().toString(36)}-s${job.seed}${job.pseed ? `-p${job.pseed}` : ''}`,
  );
  recipe.runDir = runDir;
  if (job.pseed) await writePerturbedBase(recipe, runDir, eps, job.pseed);
  await runToEnd(job.label, recipe, runDir);
}
await trainer.close();
await rollout.close();
await reward.close();

const stats = (xs: number[]) => {
  if (xs.length === 0) return '–';
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  return `mean ${m.toFixed(1)}, min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, sd ${sd.toFixed(1)}`;
};
const num = (x: number | null) => (x === null ? 'gated' : `${x.toFixed(1)}%`);
console.log('\n| run | eval-sft | eval-grpo | gain | wall | state |\n|---|---|---|---|---|---|');
for (const r of results) {
  const gain = r.sft !== null && r.grpo !== null ? `${(r.grpo - r.sft).toFixed(1)}` : '–';
  console.log(
    `| ${r.label} | ${num(r.sft)} | ${num(r.grpo)} | ${gain} | ${Math.floor(r.wallS / 60)} min ${r.wallS % 60} s | ${r.state} |`,
  );
}
const done = results.filter((r) => r.sft !== null && r.grpo !== null);
console.log(`\neval-sft:  ${stats(results.flatMap((r) => (r.sft === null ? [] : [r.sft])))}`);
console.log(`eval-grpo: ${stats(done.map((r) => r.grpo as number))}`);
console.log(`gain:      ${stats(done.map((r) => (r.grpo as number) - (r.sft as number)))}`);
console.log(`wall (s):  ${stats(results.map((r) => r.wallS))}`);
