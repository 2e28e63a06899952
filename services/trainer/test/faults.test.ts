import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type {
  RewardsRequest,
  RewardsResponse,
  RolloutRequest,
  RolloutResponse,
  RunStatus,
} from '@grpo/contracts';
import {
  BAD_SERVICE_REPLY,
  GuardedRunServices,
  POLICY_LOST,
  type RunServices,
  runError,
} from '../src/index.js';
import { metricSteps, sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

const rolloutReq: RolloutRequest = { prompts: [{ tokenIds: [1, 2] }], groupSize: 2, maxTokens: 4, seed: 1 };
const completion = {
  tokenIds: [3],
  logprobs: [-0.5],
  text: 'x',
  finishReason: 'length' as const,
  stopReason: null,
};
const goodRollout = (policyVersion: number): RolloutResponse =>
  ({
    model: 'm',
    policyVersion,
    seed: 1,
    groups: [{ promptTokenIds: [1, 2], seed: 1, completions: [completion, completion] }],
    usage: { promptTokens: 2, completionTokens: 2 },
  }) as RolloutResponse;
const rewardReq: RewardsRequest = {
  items: [{ id: 'a', prompt: 'p', completion: 'c', reference: 'r' }],
  rewards: [{ name: 'accuracy' }],
} as RewardsRequest;

/** Services whose replies come from a script, one per call; they record the calls. */
function scripted(rollouts: unknown[], rewards: unknown[] = []) {
  const calls = { rollout: 0, reward: 0, puts: 0 };
  let version = 1;
  const s: RunServices = {
    async rollout() {
      return rollouts[calls.rollout++] as RolloutResponse;
    },
    async reward() {
      return rewards[calls.reward++] as RewardsResponse;
    },
    async putPolicy() {
      calls.puts++;
      version++;
      return { version, previousVersion: version - 1, model: 'm' };
    },
  };
  return { s, calls };
}

test('a malformed rollout body is requested again and counted as a retry', async () => {
  const { s, calls } = scripted([{ groups: 'nope' }, goodRollout(1)]);
  const g = new GuardedRunServices(s);
  assert.deepEqual(await g.rollout(rolloutReq), goodRollout(1));
  assert.equal(calls.rollout, 2);
  assert.deepEqual(g.stats, { retries: 1, resyncs: 0 });
});

test('a rollout body that keeps being malformed fails with GRPO_TRAINER_BAD_SERVICE_REPLY, not a hang', async () => {
  const wrongCount = {
    ...goodRollout(1),
    groups: [{ promptTokenIds: [1, 2], seed: 1, completions: [completion] }],
  };
  const { s, calls } = scripted([wrongCount, wrongCount, wrongCount, goodRollout(1)]);
  const g = new GuardedRunServices(s, { maxRepairs: 2 });
  await assert.rejects(g.rollout(rolloutReq), (e: { code?: string; statusCode?: number }) => {
    assert.equal(e.code, BAD_SERVICE_REPLY);
    assert.equal(e.statusCode, 502);
    return true;
  });
  assert.equal(calls.rollout, 3);
});

test('a rollout sampled with other weights than the pushed ones is discarded: weights pushed again, samples re-requested', async () => {
  // The service was restarted: it answers from its start-up policy (version 1), not the pushed 2.
  const { s, calls } = scripted([goodRollout(1), goodRollout(3)]);
  const g = new GuardedRunServices(s);
  await g.putPolicy({ path: '/runs/r/sync/step-4' });
  const res = await g.rollout(rolloutReq);
  assert.equal(res.policyVersion, 3);
  assert.equal(calls.puts, 2, 'the same folder was pushed again');
  assert.deepEqual(g.stats, { retries: 1, resyncs: 1 });
});

test('weights lost on every try fail the run with GRPO_TRAINER_POLICY_LOST', async () => {
  const { s } = scripted([goodRollout(1), goodRollout(1), goodRollout(1)]);
  const g = new GuardedRunServices(s, { maxRepairs: 2 });
  await g.putPolicy({ path: '/p' });
  await assert.rejects(g.rollout(rolloutReq), { code: POLICY_LOST });
});

test('a reward reply with the wrong number of results is requested again', async () => {
  const stats = {
    items: 1,
    components: 1,
    errors: 0,
    timeouts: 0,
    chunks: 1,
    retriedItems: 0,
    workers: 1,
    ms: 1,
  };
  const good = { results: [{ id: 'a', total: 1, components: [] }], stats };
  const { s, calls } = scripted([], [{ results: [], stats }, good]);
  const g = new GuardedRunServices(s);
  assert.deepEqual(await g.reward(rewardReq), good);
  assert.equal(calls.reward, 2);
  assert.equal(g.stats.retries, 1);
});

test('ENOSPC and EDQUOT fail a run with GRPO_TRAINER_DISK_FULL; other errors keep their code', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.equal(runError(enospc).code, 'GRPO_TRAINER_DISK_FULL');
  assert.match(runError(enospc).message, /resume/);
  assert.equal(runError(Object.assign(new Error('x'), { code: 'EDQUOT' })).code, 'GRPO_TRAINER_DISK_FULL');
  assert.equal(
    runError(Object.assign(new Error('t'), { code: 'GRPO_CLIENT_TIMEOUT' })).code,
    'GRPO_CLIENT_TIMEOUT',
  );
  assert.equal(runError(new Error('boom')).code, 'GRPO_TRAINER_RUN_FAILED');
});

test('a truncated newest checkpoint is skipped at resume: the run continues from the one before, each step once', async (t) => {
  const runs = await tempDir(t);
  const app = await trainerApp(t, runs);
  const created = await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(6) });
  const id = (created.json() as RunStatus).id;
  const first = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(first.state, 'completed', JSON.stringify(first.error));
  const ckpts = path.join(first.runDir, 'checkpoints');
  const weights = path.join(ckpts, 'step-6', 'model.safetensors');
  const size = (await fs.stat(weights)).size;
  await fs.truncate(weights, Math.floor(size / 2));
  const lossesBefore = await losses(first.runDir);

  const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: { resume: first.runDir } });
  assert.equal(res.statusCode, 201, res.body);
  const done = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  assert.equal(done.resumedFrom, 4);
  assert.deepEqual(await metricSteps(first.runDir), [1, 2, 3, 4, 5, 6]);
  // Steps 5 and 6 were trained again from step 4's weights and optimizer: the same numbers.
  assert.deepEqual(await losses(first.runDir), lossesBefore);
  assert.equal((await fs.stat(weights)).size, size, 'step 6 was written again, whole');
});

test('a run whose every checkpoint is truncated fails with GRPO_TRAINER_CHECKPOINT_CORRUPT', async (t) => {
  const runs = await tempDir(t);
  const app = await trainerApp(t, runs);
  const created = await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(4) });
  const id = (created.json() as RunStatus).id;
  const first = await waitForState(app, id, ['completed', 'failed']);
  const ckpts = path.join(first.runDir, 'checkpoints');
  for (const d of (await fs.readdir(ckpts)).filter((n) => n.startsWith('step-')))
    await fs.truncate(path.join(ckpts, d, 'model.safetensors'), 10);
  await app.inject({ method: 'POST', url: '/v1/runs', payload: { resume: first.runDir } });
  const done = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(done.state, 'failed');
  assert.equal(done.error?.code, 'GRPO_TRAINER_CHECKPOINT_CORRUPT');
});

async function losses(runDir: string): Promise<number[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
}
