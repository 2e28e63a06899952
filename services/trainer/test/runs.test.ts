import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { MetricRow, MetricsResponse, RunStatus } from '@grpo/contracts';
import { metricSteps, sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

const FIXED_NAMES = [
  'step',
  'stage',
  'stageType',
  'stageStep',
  'time',
  'lr',
  'loss',
  'gradNorm',
  'rewardMean',
  'rewardStd',
  'rewards',
  'accuracy',
  'kl',
  'entropy',
  'clipFraction',
  'completionLengthMean',
  'completionLengthMin',
  'completionLengthMax',
  'zeroStdFraction',
  'sampleRounds',
  'acceptedFraction',
  'timeRolloutMs',
  'timeRewardMs',
  'timeTrainMs',
  'timeSyncMs',
  'timeStepMs',
  'tokens',
  'tokensPerSecond',
  'tools',
];

test('an SFT run completes, lowers the loss and writes one metrics row per step with the fixed names', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(8) });
  assert.equal(res.statusCode, 201, res.body);
  const created = res.json() as RunStatus;
  assert.equal(created.totalSteps, 8);
  const done = await waitForState(app, created.id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(done.step, 8);
  assert.deepEqual(await metricSteps(done.runDir), [1, 2, 3, 4, 5, 6, 7, 8]);
  const m = (
    await app.inject({ method: 'GET', url: `/v1/runs/${created.id}/metrics` })
  ).json() as MetricsResponse;
  assert.equal(m.rows.length, 8);
  for (const row of m.rows) assert.deepEqual(Object.keys(row).sort(), [...FIXED_NAMES].sort());
  const first = m.rows[0] as MetricRow;
  const last = m.rows[7] as MetricRow;
  assert.equal(first.stageType, 'sft');
  assert.ok(first.tokens > 0 && first.tokensPerSecond > 0);
  assert.ok((last.loss as number) < (first.loss as number), `loss ${first.loss} -> ${last.loss}`);
});

test('the metrics route filters by since and limit', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(5) })
  ).json() as RunStatus;
  await waitForState(app, id, ['completed']);
  const m = (
    await app.inject({ method: 'GET', url: `/v1/runs/${id}/metrics?since=2&limit=2` })
  ).json() as MetricsResponse;
  assert.deepEqual(
    m.rows.map((r) => r.step),
    [3, 4],
  );
  const bad = await app.inject({ method: 'GET', url: `/v1/runs/${id}/metrics?since=-1` });
  assert.equal(bad.statusCode, 400);
});

test('the run directory holds config, metrics, checkpoints and an atomic latest pointer', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const { id, runDir } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(5) })
  ).json() as RunStatus;
  await waitForState(app, id, ['completed']);
  assert.equal(runDir, path.join(dir, id));
  const config = JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8'));
  assert.equal(config.syncEvery, 1, 'defaults are written into config.json');
  const ckpts = (await fs.readdir(path.join(runDir, 'checkpoints'))).sort();
  // step-N folders (keepCheckpoints 3) and the kept last weights of the sft stage (0-sft).
  assert.deepEqual(ckpts, ['0-sft', 'latest.json', 'step-2', 'step-4', 'step-5']);
  const latest = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8'));
  assert.deepEqual(latest, { step: 5, dir: 'step-5' });
  const files = (await fs.readdir(path.join(runDir, 'checkpoints', 'step-4'))).sort();
  for (const f of [
    'config.json',
    'model.safetensors',
    'optimizer.safetensors',
    'tokenizer.json',
    'trainer_state.json',
  ]) {
    assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  }
  const state = JSON.parse(
    await fs.readFile(path.join(runDir, 'checkpoints', 'step-5', 'trainer_state.json'), 'utf8'),
  );
  assert.equal(state.stage, 1, 'the end-of-stage checkpoint points at the next stage');
  assert.equal(state.optimizer, null);
});

test('a bad run config is a 400 that names the field', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: sftRunConfig(5, { stages: [{ type: 'sft', steps: 2, batch: 0 } as never] }),
  });
  assert.equal(res.statusCode, 400);
  const err = res.json().error;
  assert.equal(err.code, 'GRPO_TRAINER_BAD_CONFIG');
  assert.equal(err.field, 'stages[0].batch');
});

test('a grpo stage without service URLs is a 400 naming rolloutUrl', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: sftRunConfig(5, { stages: [{ type: 'grpo', steps: 2 } as never] }),
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.field, 'rolloutUrl');
});

test("a grpo stage's algorithm is checked at creation: a 400 names the preset, override or critic folder", async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const cases: [Record<string, unknown>, string][] = [
    [{ name: 'ppo2' }, 'stages[0].algorithm.name'],
    [{ name: 'ppo', overrides: { gae: { lambda: 2 } } }, 'stages[0].algorithm.overrides.gae.lambda'],
    [{ name: 'grpo', overrides: { critic: { lr: 1e-3 } } }, 'stages[0].algorithm.overrides.critic'],
    [
      { name: 'ppo_orz', overrides: { critic: { init: path.join(dir, 'none') } } },
      'stages[0].algorithm.overrides.critic.init',
    ],
  ];
  for (const [algorithm, field] of cases) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: sftRunConfig(5, {
        stages: [{ type: 'grpo', steps: 2, algorithm } as never],
        rolloutUrl: 'http://127.0.0.1:9',
        rewardUrl: 'http://127.0.0.1:9',
      }),
    });
    assert.equal(res.statusCode, 400, JSON.stringify(algorithm));
    assert.equal(res.json().error.code, 'GRPO_TRAINER_BAD_CONFIG');
    assert.equal(res.json().error.field, field);
  }
});

test('an unknown run id is a 404 with a code', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({ method: 'GET', url: '/v1/runs/nope' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error.code, 'GRPO_TRAINER_RUN_NOT_FOUND');
});

test('a second run while one is active is a 409', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const a = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(40) })
  ).json() as RunStatus;
  const b = await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(2) });
  assert.equal(b.statusCode, 409);
  assert.equal(b.json().error.code, 'GRPO_TRAINER_RUN_ACTIVE');
  await app.inject({ method: 'POST', url: `/v1/runs/${a.id}/stop` });
  await waitForState(app, a.id, ['stopped', 'completed']);
  const list = (await app.inject({ method: 'GET', url: '/v1/runs' })).json() as { runs: RunStatus[] };
  assert.deepEqual(
    list.runs.map((r) => r.id),
    [a.id],
  );
});

test('a stopped run resumes from its checkpoint with contiguous, unique steps', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const a = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(30) })
  ).json() as RunStatus;
  await waitForState(app, a.id, ['running']);
  while (((await app.inject({ method: 'GET', url: `/v1/runs/${a.id}` })).json() as RunStatus).step < 3) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const stop = await app.inject({ method: 'POST', url: `/v1/runs/${a.id}/stop` });
  assert.equal(stop.statusCode, 202);
  const stopped = await waitForState(app, a.id, ['stopped']);
  assert.ok(stopped.step >= 3 && stopped.step < 30);
  const r = await app.inject({ method: 'POST', url: '/v1/runs', payload: { resume: a.runDir } });
  assert.equal(r.statusCode, 201, r.body);
  const done = await waitForState(app, a.id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(done.resumedFrom, stopped.step);
  assert.deepEqual(
    await metricSteps(a.runDir),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
});

test('resuming a folder that is not a run directory is a 400', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: { resume: path.join(dir, 'none') },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'GRPO_TRAINER_NO_CHECKPOINT');
  assert.equal(res.json().error.field, 'resume');
});
