import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type {
  EvalRecord,
  MetricRow,
  RewardsRequest,
  RewardsResponse,
  RolloutRequest,
  RolloutResponse,
  RunStatus,
} from '@grpo/contracts';
import { HfTokenizer } from '@grpo/model';
import { buildTrainerServer, loadTrainerConfig, type RunServices } from '../src/index.js';
import { loadRunData } from '../src/run/setup.js';
import { tempDir, waitForState } from './helpers.js';

/**
 * Scripted rollout and reward services, in-process: completion j of every group is "good"
 * (`<answer>ok</answer>`) when j is even and "bad" otherwise; the reward is 1 for good, 0 for
 * bad. Enough to check what the loop does with the replies, without the ONNX engine.
 */
function scriptedServices(
  runDir: string,
  /** When true for (rollout call, prompt index), every completion of that group is correct (zero std). */
  flat: (call: number, prompt: number) => boolean = () => false,
): RunServices & {
  rolloutCalls: RolloutRequest[];
  puts: string[];
  rewardCalls: RewardsRequest[];
  /** The number of weight syncs so far at each rollout call: the policy version it samples. */
  versions: number[];
} {
  let tok: HfTokenizer | null = null;
  const rolloutCalls: RolloutRequest[] = [];
  const versions: number[] = [];
  const rewardCalls: RewardsRequest[] = [];
  const puts: string[] = [];
  return {
    rolloutCalls,
    rewardCalls,
    puts,
    versions,
    async putPolicy(req) {
      puts.push(req.path);
      return { version: puts.length, previousVersion: puts.length - 1, model: 'p' };
    },
    async rollout(req): Promise<RolloutResponse> {
      const call = rolloutCalls.push(req) - 1;
      versions.push(puts.length);
      tok ??= await HfTokenizer.fromFolder(path.join(runDir, 'base-model'));
      const t = tok;
      const G = req.groupSize ?? 1;
      return {
        model: 'p',
        policyVersion: puts.length,
        seed: req.seed ?? 0,
        usage: { promptTokens: 0, completionTokens: 0 },
        groups: req.prompts.map((p, i) => ({
          promptTokenIds: p.tokenIds ?? null,
          seed: (req.seed ?? 0) + i,
          completions: Array.from({ length: G }, (_, j) => {
            const text = j % 2 === 0 || flat(call, i) ? '<answer>ok</answer>' : 'no';
            const ids = t.encode(text);
            return {
              tokenIds: ids,
              text,
              logprobs: ids.map(() => -1),
              finishReason: 'stop' as const,
              stopReason: null,
            };
          }),
        })),
      };
    },
    async reward(req: RewardsRequest): Promise<RewardsResponse> {
      rewardCalls.push(req);
      return {
        results: req.items.map((it) => {
          const score = it.completion.includes('ok') ? 1 : 0;
          return {
            id: it.id,
            total: score,
            components: [
              { name: 'accuracy', weight: 1, score, weighted: score, status: score ? 'ok' : 'wrong' },
            ],
          };
        }),
        stats: {
          items: req.items.length,
          components: req.items.length,
          errors: 0,
          timeouts: 0,
          chunks: 1,
          retriedItems: 0,
          workers: 0,
          ms: 0,
        },
      };
    },
  };
}

/** A trainer server (not listening) whose runs go under `runsDir` and use `services`; closed after the test. */
async function scriptedApp(t: TestContext, runsDir: string, services: RunServices) {
  const config = loadTrainerConfig({ logLevel: 'silent', runsDir }, {});
  const app = await buildTrainerServer({
    config,
    logger: false,
    defaultMetrics: false,
    services: () => services,
  });
  t.after(() => app.close());
  return app;
}

/**
 * Starts a trainer server on the scripted services, submits a run in `<tmp>/<name>` with the
 * tiny model, the arithmetic `data` and the accuracy reward, and waits for it to complete.
 */
async function completedRun(
  t: TestContext,
  name: string,
  data: unknown,
  stages: unknown[],
  extra = {},
  flat?: (call: number, prompt: number) => boolean,
) {
  const dir = await tempDir(t);
  const runDir = path.join(dir, name);
  const services = scriptedServices(runDir, flat);
  const app = await scriptedApp(t, dir, services);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: {
      model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
      data,
      rewards: [{ name: 'accuracy' }],
      stages,
      rolloutUrl: 'http://127.0.0.1:9',
      rewardUrl: 'http://127.0.0.1:9',
      runDir,
      ...extra,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { id } = res.json() as RunStatus;
  const done = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  return { app, id, services };
}

/** A run's metric rows and eval records, from `GET /v1/runs/:id/metrics`. */
async function metricsOf(run: { app: Awaited<ReturnType<typeof completedRun>>['app']; id: string }) {
  const res = await run.app.inject({ method: 'GET', url: `/v1/runs/${run.id}/metrics` });
  return res.json() as { rows: MetricRow[]; evals: EvalRecord[] };
}

test('rejection sampling keeps the accepted completions and trains on them; eval scores greedy samples', async (t) => {
  const run = await completedRun(
    t,
    'rs',
    { builtin: 'arithmetic', train: { count: 20 }, eval: { count: 5 } },
    [
      { type: 'rejection_sampling', steps: 3, batch: 2, groupSize: 4, acceptThreshold: 1 },
      { type: 'eval', evalCount: 5 },
    ],
    { syncEvery: 2 },
  );
  const { services } = run;
  const { rows, evals } = await metricsOf(run);
  assert.equal(rows.length, 3);
  for (const r of rows) {
    assert.equal(r.acceptedFraction, 0.5);
    assert.equal(r.rewardMean, 0.5);
    assert.equal(r.zeroStdFraction, 0);
    assert.equal(typeof r.loss, 'number');
  }
  // Rollouts: 3 training steps (G = 4, sampled) and 1 eval request (G = 1, greedy).
  assert.deepEqual(
    services.rolloutCalls.map((c) => [c.prompts.length, c.groupSize, c.temperature]),
    [
      [2, 4, 1],
      [2, 4, 1],
      [2, 4, 1],
      [5, 1, 0],
    ],
  );
  // Weight sync: before the first rollout, after step 2 (syncEvery 2), and before the eval (step 3).
  assert.deepEqual(
    services.puts.map((p) => path.basename(p)),
    ['step-0', 'step-2', 'step-3'],
  );
  assert.equal(evals.length, 1);
  assert.equal(evals[0]?.accuracy, 1);
  assert.equal(evals[0]?.count, 5);
  assert.equal(evals[0]?.step, 3);
});

test('with an rl split, rejection sampling draws its prompts from it: new problems, not the traced or held-out ones', async (t) => {
  const data = {
    builtin: 'arithmetic' as const,
    train: { count: 20, minDigits: 1, maxDigits: 1 },
    eval: { count: 10, minDigits: 1, maxDigits: 1 },
    rl: { count: 40, minDigits: 1, maxDigits: 1, seed: 9 },
  };
  const { services } = await completedRun(t, 'rl', data, [
    { type: 'sft', steps: 1, batch: 2 },
    { type: 'rejection_sampling', steps: 3, batch: 4, groupSize: 2, acceptThreshold: 1 },
  ]);

  const split = loadRunData(data);
  // 1-digit problems collide often: the split drops those that are held out or traced.
  const key = (p: string) => p.replace(/[^0-9+-]+/g, ' ').trim();
  const taken = new Set([...split.train, ...split.eval].map((e) => key(e.prompt)));
  assert.ok(split.rl.length > 0 && split.rl.length < 40, `rl keeps new problems only: ${split.rl.length}`);
  assert.ok(split.rl.every((e) => !taken.has(key(e.prompt))));
  const rlPrompts = new Set(split.rl.map((e) => e.prompt));
  const sampled = services.rewardCalls.flatMap((c) => c.items.map((it) => it.prompt));
  assert.equal(sampled.length, 3 * 4 * 2);
  for (const p of sampled) assert.ok(rlPrompts.has(p), `${p} is from the rl split`);
});

test('DAPO dynamic sampling samples more prompts until the batch holds informative groups; grpo samples once', async (t) => {
  const data = { builtin: 'arithmetic', train: { count: 40 }, eval: { count: 4 } };
  // First round of each step: 3 of 4 groups all correct (zero std); later rounds: all informative.
  const flat = (call: number, prompt: number) => call % 2 === 0 && prompt < 3;
  const grpo = (name: string) => ({ type: 'grpo', steps: 2, batch: 4, groupSize: 2, algorithm: { name } });
  const dapo = await completedRun(t, 'dapo', data, [grpo('dapo')], {}, flat);
  const { rows } = await metricsOf(dapo);
  assert.deepEqual(
    rows.map((r) => r.sampleRounds),
    [2, 2],
  );
  // Two rounds per step: the second asks for 4 more prompts with a seed of its own.
  const calls = dapo.services.rolloutCalls;
  assert.equal(calls.length, 4);
  assert.deepEqual(
    calls.map((c) => c.prompts.length),
    [4, 4, 4, 4],
  );
  assert.notEqual(calls[1]!.seed, calls[0]!.seed);
  assert.notDeepEqual(calls[1]!.prompts, calls[0]!.prompts);
  // Both rounds' groups are in the metrics: 3 flat groups out of 8 sampled.
  for (const r of rows) {
    assert.equal(r.zeroStdFraction, 3 / 8);
    assert.equal(r.rewardMean, (3 * 2 + 5 * 1) / 16);
  }
  // The grpo preset has no dynamic sampling: one round per step, whatever the groups.
  const plain = await completedRun(t, 'grpo', data, [grpo('grpo')], {}, flat);
  assert.deepEqual(
    (await metricsOf(plain)).rows.map((r) => r.sampleRounds),
    [1, 1],
  );
  assert.equal(plain.services.rolloutCalls.length, 2);
});

test('overlapRollout samples the next step during the update with the weights before it, and a resumed run trains on the saved samples', async (t) => {
  const data = { builtin: 'arithmetic', train: { count: 40 }, eval: { count: 4 } };
  const stage = {
    type: 'grpo',
    steps: 4,
    batch: 2,
    groupSize: 2,
    overlapRollout: true,
    algorithm: { name: 'grpo' },
  };
  const a = await completedRun(t, 'overlap', data, [stage], { checkpointEvery: 2, keepCheckpoints: 5 });
  // Step 1 samples first; steps 2-4 are requested before the update of the step before, so they
  // sample the weights of two syncs earlier than an on-policy run would: versions 1, 1, 2, 3.
  assert.deepEqual(a.services.versions, [1, 1, 2, 3]);
  assert.deepEqual(
    a.services.puts.map((p) => path.basename(p)),
    ['step-0', 'step-1', 'step-2', 'step-3', 'step-4'],
  );
  const { rows } = await metricsOf(a);
  assert.deepEqual(
    rows.map((r) => r.sampleRounds),
    [1, 1, 1, 1],
  );
  // The step-2 checkpoint holds step 3's samples, requested before step 2's update.
  const runDir = path.join(path.dirname(a.services.puts[0]!), '..');
  const ckpt = (n: number) => path.join(runDir, 'checkpoints', `step-${n}`);
  const saved = JSON.parse(await fs.readFile(path.join(ckpt(2), 'pending_rollout.json'), 'utf8'));
  assert.deepEqual([saved.stage, saved.stageStep], [0, 3]);
  assert.equal(saved.rollout.seed, a.services.rolloutCalls[2]!.seed);
  assert.ok(!(await fs.readdir(ckpt(4))).includes('pending_rollout.json'));

  // Resume a copy from the step-2 checkpoint: step 3 trains on the saved samples (no new request
  // for them) and both steps repeat the uninterrupted run's numbers.
  const dir = await tempDir(t);
  const copy = path.join(dir, 'copy');
  await fs.cp(runDir, copy, { recursive: true });
  await fs.writeFile(path.join(copy, 'checkpoints', 'latest.json'), '{"step": 2, "dir": "step-2"}\n');
  const services = scriptedServices(copy);
  const app = await scriptedApp(t, dir, services);
  const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: { resume: copy } });
  assert.equal(res.statusCode, 201, res.body);
  const done = await waitForState(app, (res.json() as RunStatus).id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(done.resumedFrom, 2);
  assert.deepEqual(services.rolloutCalls, [a.services.rolloutCalls[3]]);
  const resumed = (await metricsOf({ app, id: done.id })).rows;
  const key = (r: MetricRow) => [r.step, r.loss, r.gradNorm, r.rewardMean, r.accuracy, r.sampleRounds];
  assert.deepEqual(resumed.map(key), rows.map(key));
});

test("rolloutBatch samples more prompts in a step's first round and trains on the first batch informative groups", async (t) => {
  const data = { builtin: 'arithmetic', train: { count: 40 }, eval: { count: 4 } };
  // First round (4 prompts): 3 flat groups, 1 informative; the second round (batch = 2 prompts) adds 2.
  const flat = (call: number, prompt: number) => call % 2 === 0 && prompt < 3;
  const stage = {
    type: 'grpo',
    steps: 2,
    batch: 2,
    rolloutBatch: 4,
    groupSize: 2,
    algorithm: { name: 'dapo' },
  };
  const run = await completedRun(t, 'gen-batch', data, [stage], {}, flat);
  assert.deepEqual(
    run.services.rolloutCalls.map((c) => c.prompts.length),
    [4, 2, 4, 2],
  );
  const { rows } = await metricsOf(run);
  assert.deepEqual(
    rows.map((r) => [r.sampleRounds, r.zeroStdFraction]),
    [
      [2, 3 / 6],
      [2, 3 / 6],
    ],
  );
  // Two steps of 4 first-round prompts walk the data order 4 at a time: 8 distinct prompts.
  const first = [0, 2].flatMap((i) => run.services.rolloutCalls[i]!.prompts.map((p) => JSON.stringify(p)));
  assert.equal(new Set(first).size, 8);
});

test('rolloutBatch and overlapRollout are checked against the stage: a 400 naming the field', async (t) => {
  const dir = await tempDir(t);
  const config = loadTrainerConfig({ logLevel: 'silent', runsDir: dir }, {});
  const app = await buildTrainerServer({ config, logger: false, defaultMetrics: false });
  t.after(() => app.close());
  const body = (stage: Record<string, unknown>) => ({
    model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
    data: { builtin: 'arithmetic', train: { count: 8 }, eval: { count: 2 } },
    stages: [{ type: 'grpo', steps: 1, batch: 4, ...stage }],
    rolloutUrl: 'http://127.0.0.1:9',
    rewardUrl: 'http://127.0.0.1:9',
  });
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ rolloutBatch: 8 }, 'stages[0].rolloutBatch', /dynamic sampling/],
    [{ rolloutBatch: 2, algorithm: { name: 'dapo' } }, 'stages[0].rolloutBatch', /below batch 4/],
    [{ type: 'rejection_sampling', overlapRollout: true }, 'stages[0].overlapRollout', /only grpo/],
  ];
  for (const [stage, field, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: body(stage) });
    assert.equal(res.statusCode, 400, res.body);
    const err = res.json() as { error: { code: string; field: string; message: string } };
    assert.equal(err.error.code, 'GRPO_TRAINER_BAD_CONFIG');
    assert.equal(err.error.field, field);
    assert.match(err.error.message, message);
  }
});
