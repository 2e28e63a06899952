import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type {
  RewardsRequest,
  RewardsResponse,
  RolloutRequest,
  RolloutResponse,
  RunStatus,
} from '@grpo/contracts';
import { HfTokenizer, loadPolicy } from '@grpo/model';
import {
  buildTrainerServer,
  listStageCheckpoints,
  loadTrainerConfig,
  parseRunConfig,
  type RunServices,
  STAGE_FILE,
  stageCheckpointName,
} from '../src/index.js';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

test('the last weights of every training stage survive keepCheckpoints and are listed in the status', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const body = sftRunConfig(5, {
    keepCheckpoints: 1,
    stages: [
      { type: 'sft', name: 'warm', steps: 5, lr: 3e-3, batch: 4 },
      { type: 'sft', name: 'more', steps: 4, lr: 1e-3, batch: 4 },
    ] as never,
  });
  const { id } = (await app.inject({ method: 'POST', url: '/v1/runs', payload: body })).json() as RunStatus;
  const done = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  const ck = path.join(done.runDir, 'checkpoints');
  assert.deepEqual(done.checkpoints, [
    { stage: 0, name: 'warm', step: 5, path: path.join(ck, 'warm') },
    { stage: 1, name: 'more', step: 9, path: path.join(ck, 'more') },
  ]);
  // keepCheckpoints 1: one step-N folder is left, and both stage folders.
  const entries = (await fs.readdir(ck)).filter((n) => !n.startsWith('.')).sort();
  assert.deepEqual(entries, ['latest.json', 'more', 'step-9', 'warm']);
  // Each stage folder is a model folder the rollout service can load.
  const warm = await loadPolicy(path.join(ck, 'warm'));
  const more = await loadPolicy(path.join(ck, 'more'));
  assert.equal(warm.config.hiddenSize, 32);
  const w = warm.tensors.get('model.embed_tokens.weight')?.data as Float32Array;
  const m = more.tensors.get('model.embed_tokens.weight')?.data as Float32Array;
  assert.notDeepEqual(w, m, 'the stage folders hold the weights of different steps');
  // The final stage folder holds the same weights as the final step checkpoint.
  const [a, b] = await Promise.all([
    fs.readFile(path.join(ck, 'more', 'model.safetensors')),
    fs.readFile(path.join(ck, 'step-9', 'model.safetensors')),
  ]);
  assert.ok(a.equals(b));
  // GET /v1/runs/:id reports them too.
  const status = (await app.inject({ method: 'GET', url: `/v1/runs/${id}` })).json() as RunStatus;
  assert.deepEqual(status.checkpoints, done.checkpoints);
});

test('stage folder names: the stage name when it is a safe, unique folder name, else stage-<i>', () => {
  const config = parseRunConfig(
    sftRunConfig(1, {
      stages: [
        { type: 'sft', name: 'sft' },
        { type: 'sft' },
        { type: 'sft', name: 'step-4' },
        { type: 'sft', name: '../up' },
        { type: 'sft', name: 'twin' },
        { type: 'sft', name: 'twin' },
        { type: 'sft', name: 'stage-0' },
      ] as never,
    }),
  );
  assert.deepEqual(
    config.stages.map((_, i) => stageCheckpointName(config, i)),
    ['sft', '1-sft', 'stage-2', 'stage-3', 'stage-4', 'stage-5', 'stage-6'],
  );
});

test('on resume, the stage folders of the stage being resumed and later ones are dropped', async (t) => {
  const dir = await tempDir(t);
  const config = parseRunConfig(
    sftRunConfig(1, {
      stages: [
        { type: 'sft', name: 'a' },
        { type: 'sft', name: 'b' },
      ] as never,
    }),
  );
  for (const [i, name] of ['a', 'b'].entries()) {
    await fs.mkdir(path.join(dir, 'checkpoints', name), { recursive: true });
    const rec = { stage: i, name, step: 10 * (i + 1), path: 'elsewhere' };
    await fs.writeFile(path.join(dir, 'checkpoints', name, STAGE_FILE), JSON.stringify(rec));
  }
  const all = await listStageCheckpoints(dir, config);
  assert.deepEqual(
    all.map((c) => [c.name, c.step, c.path]),
    [
      ['a', 10, path.join(dir, 'checkpoints', 'a')],
      ['b', 20, path.join(dir, 'checkpoints', 'b')],
    ],
  );
  const kept = await listStageCheckpoints(dir, config, 1);
  assert.deepEqual(
    kept.map((c) => c.name),
    ['a'],
  );
  assert.deepEqual(await fs.readdir(path.join(dir, 'checkpoints')), ['a']);
});

/**
 * Rollout and reward services in-process: every completion is the same answer, and its accuracy
 * is `score` (or `score(n)` on the n-th reward call, from 0).
 */
function constantServices(
  runDir: string,
  score: number | ((call: number) => number),
): RunServices & { rollouts: RolloutRequest[] } {
  let calls = 0;
  let tok: HfTokenizer | null = null;
  const rollouts: RolloutRequest[] = [];
  return {
    rollouts,
    async putPolicy() {
      return { version: 1, previousVersion: 0, model: 'p' };
    },
    async rollout(req): Promise<RolloutResponse> {
      rollouts.push(req);
      tok ??= await HfTokenizer.fromFolder(path.join(runDir, 'base-model'));
      const ids = tok.encode('<answer>7</answer>');
      return {
        model: 'p',
        policyVersion: 1,
        seed: 0,
        usage: { promptTokens: 0, completionTokens: 0 },
        groups: req.prompts.map((p) => ({
          promptTokenIds: p.tokenIds ?? null,
          seed: 0,
          completions: Array.from({ length: req.groupSize ?? 1 }, () => ({
            tokenIds: ids,
            text: '<answer>7</answer>',
            logprobs: ids.map(() => -1),
            finishReason: 'stop' as const,
            stopReason: null,
          })),
        })),
      };
    },
    async reward(req: RewardsRequest): Promise<RewardsResponse> {
      const value = typeof score === 'number' ? score : score(calls);
      calls++;
      return {
        results: req.items.map((it) => ({
          id: it.id,
          total: value,
          components: [
            { name: 'accuracy', weight: 1, score: value, weighted: value, status: value ? 'ok' : 'wrong' },
          ],
        })),
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

const GATED_STAGES = [
  { type: 'sft', name: 'sft', steps: 3, lr: 3e-3, batch: 4 },
  { type: 'eval', name: 'eval-sft', evalCount: 4, minAccuracy: 0.2 },
  { type: 'grpo', name: 'grpo', steps: 2, batch: 2, groupSize: 2 },
];

async function gatedRun(
  t: TestContext,
  score: number | ((call: number) => number),
  stages = GATED_STAGES,
  extra: Record<string, unknown> = {},
) {
  const dir = await tempDir(t);
  const runDir = path.join(dir, 'gated');
  const services = constantServices(runDir, score);
  const config = loadTrainerConfig({ logLevel: 'silent', runsDir: dir }, {});
  const app = await buildTrainerServer({
    config,
    logger: false,
    defaultMetrics: false,
    services: () => services,
  });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: {
      ...sftRunConfig(3),
      runDir,
      rewards: [{ name: 'accuracy' }],
      rolloutUrl: 'http://127.0.0.1:9',
      rewardUrl: 'http://127.0.0.1:9',
      stages,
      ...extra,
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { id } = res.json() as RunStatus;
  return { status: await waitForState(app, id, ['completed', 'failed']), services };
}

test('an eval below its minAccuracy gate ends the run failed with a code, before the next stage trains', async (t) => {
  const { status, services } = await gatedRun(t, 0);
  assert.equal(status.state, 'failed');
  assert.equal(status.error?.code, 'GRPO_TRAINER_EVAL_GATE');
  assert.match(
    status.error?.message ?? '',
    /^eval-sft: accuracy 0\.0% on 4 problems is below minAccuracy 20\.0%, .* The weights are kept in .*checkpoints\/sft\.$/,
  );
  assert.equal(status.step, 3, 'no grpo step ran');
  assert.equal(services.rollouts.length, 1, 'only the eval sampled');
  assert.deepEqual(
    status.evals.map((e) => [e.name, e.accuracy]),
    [['eval-sft', 0]],
  );
  assert.deepEqual(
    status.checkpoints.map((c) => c.name),
    ['sft'],
  );
});

test('an eval at or above its minAccuracy gate lets the run go on', async (t) => {
  const { status } = await gatedRun(t, 1);
  assert.equal(status.state, 'completed', JSON.stringify(status.error));
  assert.equal(status.step, 5);
  assert.deepEqual(
    status.checkpoints.map((c) => [c.name, c.step]),
    [
      ['sft', 3],
      ['grpo', 5],
    ],
  );
});

test('an sft stage with until checks the eval split every few steps and ends at the first check at the target', async (t) => {
  // Reward calls: the check at sft step 2 scores 0, the check at step 4 scores 1, then eval-sft.
  const { status, services } = await gatedRun(
    t,
    (call) => (call === 0 ? 0 : 1),
    [
      {
        type: 'sft',
        name: 'sft',
        steps: 10,
        lr: 3e-3,
        batch: 4,
        // The checks decode as the stage's sampling says (traces longer than the 256-token default).
        sampling: { temperature: 0, maxTokens: 300 },
        until: { accuracy: 0.5, every: 2, evalCount: 3, split: 'rl' },
      },
      { type: 'eval', name: 'eval-sft', evalCount: 4 },
    ],
    { data: { builtin: 'arithmetic', train: { count: 40 }, eval: { count: 8 }, rl: { count: 12 } } },
  );
  assert.equal(status.state, 'completed', JSON.stringify(status.error));
  assert.equal(status.step, 4, 'the sft stage ended at its second check, not after 10 steps');
  assert.deepEqual(
    status.evals.map((e) => [e.name, e.step, e.count, e.split, e.accuracy]),
    [
      ['sft-check', 2, 3, 'rl', 0],
      ['sft-check', 4, 3, 'rl', 1],
      ['eval-sft', 4, 4, 'eval', 1],
    ],
  );
  assert.deepEqual(
    status.checkpoints.map((c) => [c.name, c.step]),
    [['sft', 4]],
  );
  assert.deepEqual(
    services.rollouts.map((r) => [r.prompts.length, r.temperature, r.maxTokens]),
    [
      [3, 0, 300],
      [3, 0, 300],
      [4, 0, 256],
    ],
  );
});

test('an sft stage whose checks never reach the target trains all its steps; until is checked at creation', async (t) => {
  const { status } = await gatedRun(t, 0, [
    {
      type: 'sft',
      name: 'sft',
      steps: 4,
      lr: 3e-3,
      batch: 4,
      until: { accuracy: 0.5, every: 3, evalCount: 2 },
    },
  ]);
  assert.equal(status.state, 'completed', JSON.stringify(status.error));
  assert.equal(status.step, 4);
  assert.deepEqual(
    status.evals.map((e) => [e.name, e.step, e.split]),
    [['sft-check', 3, 'eval']],
  );
  // Checks on the rl split need one: this run's data has none.
  const noRl = await gatedRun(t, 1, [
    {
      type: 'sft',
      name: 'sft',
      steps: 4,
      lr: 3e-3,
      batch: 4,
      until: { accuracy: 0.5, every: 2, split: 'rl' },
    },
  ]);
  assert.equal(noRl.status.state, 'failed');
  assert.equal(noRl.status.error?.code, 'GRPO_TRAINER_BAD_CONFIG');
  assert.match(noRl.status.error?.message ?? '', /^no rl examples to check/);

  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const post = (stages: unknown[], urls = true) =>
    app.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: {
        ...sftRunConfig(3),
        stages,
        ...(urls ? { rolloutUrl: 'http://127.0.0.1:9', rewardUrl: 'http://127.0.0.1:9' } : {}),
      },
    });
  const until = { accuracy: 0.5, every: 2 };
  const cases: [unknown[], boolean, string][] = [
    [[{ type: 'sft', steps: 3, until }], false, 'rolloutUrl'],
    [[{ type: 'grpo', steps: 3, until }], true, 'stages[0].until'],
    [[{ type: 'sft', steps: 3, until: { ...until, from: 5 } }], true, 'stages[0].until.from'],
    [[{ type: 'sft', steps: 3, until: { ...until, accuracy: 2 } }], true, 'stages[0].until.accuracy'],
  ];
  for (const [stages, urls, field] of cases) {
    const res = await post(stages, urls);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.field, field, res.body);
  }
});
