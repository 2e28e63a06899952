/**
 * GRPO against PPO on the same work: the quick-start's SFT checkpoint trained by the
 * quick-start's GRPO stage (`dapo`, 16 prompts in the first round, G 8) and by PPO with a
 * critic (the same stage with `algorithm` replaced), each for the same budget of sampled
 * completion tokens and, separately, the same wall time, with several seeds; then greedy
 * held-out accuracy of each final policy. All through the three real services over REST
 * (reward and trainer in this process, rollout in a child process, as `npm start`).
 *
 *   node --conditions=source --import tsx services/trainer/bench/grpo-vs-ppo.ts \
 *     --from <sft checkpoint folder> [--seeds 1,2] [--tokens 400000] [--wall-s 0] \
 *     [--eval 400] [--ppo '{"name":"ppo_orz"}'] [--ppo-batch 16] [--ppo-group 4] [--runs /tmp/gvp]
 *     [--algos grpo,ppo]
 *
 * Without --from the quick-start's SFT stage runs first (800 steps). A smaller variant of the
 * quick-start for a loaded machine: --model '{"hiddenSize":64}' (fields of the tiny policy),
 * --task '{"minDigits":2,"maxDigits":2,"ops":["+"],"zhFraction":0}' (fields of every
 * arithmetic split), --sft-steps N, --max-tokens N (every sampling stage). --tokens is the budget of
 * sampled completion tokens per run (every sampling round counts); --wall-s > 0 adds runs of
 * each algorithm for that many seconds of training. A run is stopped once its budget is spent
 * (the step in flight finishes, so runs overshoot by at most one step; the table shows what was
 * spent). Prints one JSON line per run and a table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MetricRow, MetricsResponse, RunStatus } from '@grpo/contracts';
import { startRewardServer } from '@grpo/reward-service';
import { startTrainerServer } from '@grpo/trainer-service';
import { spawnRolloutService } from '../../../cli/src/quickstart.js';
import { baseRecipe } from './base-recipe.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}
const seeds = arg('seeds', '1,2').split(',').map(Number);
const tokenBudget = Number(arg('tokens', '400000'));
const wallS = Number(arg('wall-s', '0'));
const evalCount = Number(arg('eval', '400'));
const ppoAlg = JSON.parse(arg('ppo', '{"name":"ppo_orz"}')) as { name: string; overrides?: object };
const ppoBatch = Number(arg('ppo-batch', '16'));
const ppoGroup = Number(arg('ppo-group', '4'));
const runsDir = arg('runs', '/tmp/grpo-vs-ppo');
const algos = arg('algos', 'grpo,ppo').split(',') as ('grpo' | 'ppo')[];
let from = arg('from', '');

const quiet = { port: 0, logLevel: 'error', maxEventLoopDelayMs: 0 };
const reward = await startRewardServer({ ...quiet, workers: 1 }, { signals: [] });
const rollout = await spawnRolloutService({ GRPO_ROLLOUT_MODEL_ROOT: runsDir });
const trainer = await startTrainerServer({ ...quiet, runsDir }, { signals: [] });
const recipe = baseRecipe({
  rolloutUrl: rollout.url,
  rewardUrl: reward.url,
});
const tiny = (recipe.model as { tiny: Record<string, unknown> }).tiny;
Object.assign(tiny, JSON.parse(arg('model', '{}')));
const task = JSON.parse(arg('task', '{}'));
for (const k of ['train', 'eval', 'rl'] as const)
  Object.assign((recipe.data as unknown as Record<string, object>)[k]!, task);
if (arg('sft-steps', '')) recipe.stages[0]!.steps = Number(arg('sft-steps', ''));
if (arg('max-tokens', ''))
  for (const st of recipe.stages.slice(1))
    st.sampling = { ...st.sampling!, maxTokens: Number(arg('max-tokens', '')) };

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${trainer.url}${url}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const out = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['completed', 'stopped', 'failed'];

async function waitEnd(id: string): Promise<RunStatus> {
  for (;;) {
    const s = await call<RunStatus>('GET', `/v1/runs/${id}`);
    if (s.state === 'failed') throw new Error(`run ${id} failed: ${JSON.stringify(s.error)}`);
    if (TERMINAL.includes(s.state)) return s;
    await sleep(500);
  }
}

/** Completion tokens a step sampled: every round of it (first round rolloutBatch prompts, later ones batch). */
function sampledTokens(
  r: MetricRow,
  stage: { batch: number; groupSize: number; rolloutBatch?: number },
): number {
  const rounds = r.sampleRounds ?? 1;
  const completions = ((stage.rolloutBatch ?? stage.batch) + (rounds - 1) * stage.batch) * stage.groupSize;
  return completions * (r.completionLengthMean ?? 0);
}

/** Greedy held-out accuracy of a model folder: an eval-only run over REST. */
async function evaluate(model: string, name: string): Promise<{ accuracy: number; rewardMean: number }> {
  const s = await call<RunStatus>('POST', '/v1/runs', {
    ...recipe,
    name,
    model,
    runDir: path.join(runsDir, name),
    stages: [{ ...recipe.stages[3], evalCount }],
  });
  await waitEnd(s.id);
  const m = await call<MetricsResponse>('GET', `/v1/runs/${s.id}/metrics`);
  const e = m.evals[m.evals.length - 1]!;
  return { accuracy: e.accuracy, rewardMean: e.rewardMean };
}

interface Result {
  algorithm: string;
  budget: 'tokens' | 'wall';
  seed: number;
  steps: number;
  tokens: number;
  trainS: number;
  rewardLast10: number;
  accuracy: number;
  heldOutReward: number;
}

/** One RL run from `from` until its budget is spent, then the held-out eval of where it stopped. */
async function rlRun(algorithm: 'grpo' | 'ppo', budget: 'tokens' | 'wall', seed: number): Promise<Result> {
  const base = recipe.stages[2]!;
  const stage =
    algorithm === 'grpo'
      ? { ...base, steps: 100_000 }
      : (() => {
          const { rolloutBatch: _r, ...rest } = base;
          return { ...rest, steps: 100_000, batch: ppoBatch, groupSize: ppoGroup, algorithm: ppoAlg };
        })();
  const name = `${algorithm}-${budget}-seed${seed}`;
  const runDir = path.join(runsDir, name);
  fs.rmSync(runDir, { recursive: true, force: true });
  const s = await call<RunStatus>('POST', '/v1/runs', {
    ...recipe,
    name,
    model: from,
    seed,
    runDir,
    checkpointEvery: 100_000,
    stages: [stage],
  });
  const rows: MetricRow[] = [];
  let tokens = 0;
  let trainMs = 0;
  for (;;) {
    const m = await call<MetricsResponse>('GET', `/v1/runs/${s.id}/metrics?since=${rows.length}`);
    for (const r of m.rows) {
      rows.push(r);
      tokens += sampledTokens(r, stage);
      trainMs += r.timeStepMs;
    }
    if ((budget === 'tokens' && tokens >= tokenBudget) || (budget === 'wall' && trainMs >= wallS * 1000))
      break;
    const st = await call<RunStatus>('GET', `/v1/runs/${s.id}`);
    if (st.state === 'failed') throw new Error(`${name} failed: ${JSON.stringify(st.error)}`);
    await sleep(300);
  }
  await call('POST', `/v1/runs/${s.id}/stop`);
  await waitEnd(s.id);
  // Steps finished after the budget was seen count too: they changed the weights evaluated.
  const m = await call<MetricsResponse>('GET', `/v1/runs/${s.id}/metrics?since=${rows.length}`);
  for (const r of m.rows) {
    rows.push(r);
    tokens += sampledTokens(r, stage);
    trainMs += r.timeStepMs;
  }
  const latest = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as {
    dir: string;
  };
  const ev = await evaluate(path.join(runDir, 'checkpoints', latest.dir), `${name}-eval`);
  const last = rows.slice(-10);
  const res: Result = {
    algorithm:
      algorithm === 'grpo'
        ? `grpo (dapo, ${base.rolloutBatch ?? base.batch}x${base.groupSize})`
        : `${ppoAlg.name} (${ppoBatch}x${ppoGroup})`,
    budget,
    seed,
    steps: rows.length,
    tokens: Math.round(tokens),
    trainS: trainMs / 1000,
    rewardLast10: last.reduce((a, r) => a + (r.rewardMean ?? 0), 0) / Math.max(last.length, 1),
    accuracy: ev.accuracy,
    heldOutReward: ev.rewardMean,
  };
  console.log(JSON.stringify(res));
  return res;
}

try {
  const t0 = performance.now();
  if (!from) {
    const s = await call<RunStatus>('POST', '/v1/runs', {
      ...recipe,
      name: 'sft',
      runDir: path.join(runsDir, 'sft'),
      stages: [recipe.stages[0]],
    });
    const done = await waitEnd(s.id);
    from = path.join(done.runDir, 'checkpoints', `step-${done.step}`);
  }
  const sft = await evaluate(from, 'sft-eval');
  console.log(JSON.stringify({ sft: from, ...sft }));
  const results: Result[] = [];
  for (const seed of seeds)
    for (const a of algos) {
      if (tokenBudget > 0) results.push(await rlRun(a, 'tokens', seed));
      if (wallS > 0) results.push(await rlRun(a, 'wall', seed));
    }
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  console.log(`\nSFT checkpoint ${from}: held-out accuracy ${pct(sft.accuracy)} (${evalCount} problems)`);
  console.log(
    '| algorithm | budget | seed | steps | sampled tokens | train s | reward (last 10 steps) | held-out accuracy | points gained | tokens per point |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const pts = 100 * (r.accuracy - sft.accuracy);
    console.log(
      `| ${r.algorithm} | ${r.budget} | ${r.seed} | ${r.steps} | ${r.tokens} | ${r.trainS.toFixed(0)} | ${r.rewardLast10.toFixed(3)} | ${pct(r.accuracy)} | ${pts.toFixed(2)} | ${pts > 0 ? Math.round(r.tokens / pts) : '—'} |`,
    );
  }
  console.log(`total ${((performance.now() - t0) / 60000).toFixed(1)} min`);
} finally {
  await trainer.close();
  await rollout.close();
  await reward.close();
}
