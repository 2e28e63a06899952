import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { type StartedRewardServer, startRewardServer } from '@grpo/reward-service';
import { type StartedRolloutServer, startRolloutServer } from '@grpo/rollout-service';
import { type StartedTrainerServer, startTrainerServer } from '@grpo/trainer-service';
import { stopChild } from './child.js';

// PPO (ppo_orz: GAE with lambda = gamma = 1 on a learned critic, no KL) across the three real
// services over HTTP on 127.0.0.1, with groups of one completion per prompt. The second test
// kills a child trainer with SIGKILL mid-PPO and checks that the resumed run repeats no step and
// trains exactly as the uninterrupted one did: the critic's weights, moments and warm-up
// counter come back from the checkpoint.

const root = fileURLToPath(new URL('..', import.meta.url));
let tmp: string;
let reward: StartedRewardServer;
let rollout: StartedRolloutServer;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-ppo-e2e-'));
  reward = await startRewardServer({ port: 0, logLevel: 'silent', workers: 1 }, { signals: [] });
  // The trainer pushes checkpoints from its runs directory (tmp): the rollout service may load from there.
  rollout = await startRolloutServer(
    { port: 0, logLevel: 'silent', modelRoot: tmp },
    { signals: [], env: {} },
  );
});

after(async () => {
  await rollout?.close();
  await reward?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const SFT_STEPS = 80;
const PPO_STEPS = 16;

function ppoConfig(runDir: string) {
  return {
    name: 'ppo-e2e',
    model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
    data: {
      builtin: 'arithmetic',
      train: { count: 120, maxDigits: 2, zhFraction: 0 },
      eval: { count: 16, maxDigits: 2, zhFraction: 0 },
    },
    rewards: [{ name: 'format' }, { name: 'tags', weight: 0.5 }, { name: 'accuracy' }],
    stages: [
      { type: 'sft', steps: SFT_STEPS, lr: 5e-3, batch: 8 },
      {
        type: 'grpo',
        steps: PPO_STEPS,
        lr: 2e-3,
        batch: 24,
        groupSize: 1,
        sampling: { temperature: 1, maxTokens: 96 },
        algorithm: {
          name: 'ppo_orz',
          overrides: { critic: { warmupSteps: 2, lr: 1e-3 }, loss: { aggregation: 'seq-mean-token-mean' } },
        },
      },
    ],
    rolloutUrl: rollout.url,
    rewardUrl: reward.url,
    checkpointEvery: 2,
    seed: 3,
    runDir,
  };
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function waitFor(url: string, id: string, done: (s: RunStatus) => boolean, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await json<RunStatus>(await fetch(`${url}/v1/runs/${id}`));
    if (done(s)) return s;
    if (s.state === 'failed') throw new Error(`run failed: ${JSON.stringify(s.error)}`);
    if (Date.now() > deadline) throw new Error(`timed out at step ${s.step} (${s.state})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rows(runDir: string): Promise<MetricRow[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricRow);
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
let reference: MetricRow[] = [];

test('SFT then PPO (ppo_orz, groups of one) across the three services: the critic warms up, then the reward rises', async (t) => {
  const trainer: StartedTrainerServer = await startTrainerServer(
    { port: 0, logLevel: 'silent', runsDir: tmp },
    { signals: [] },
  );
  t.after(() => trainer.close());
  const runDir = path.join(tmp, 'ppo');
  // A bad critic override is a 400 that names the field.
  const bad = ppoConfig(runDir);
  bad.stages[1] = {
    ...bad.stages[1]!,
    algorithm: { name: 'ppo_orz', overrides: { critic: { clipValue: -1 } } },
  };
  const res = await post(trainer.url, bad);
  assert.equal(res.status, 400);
  assert.equal(
    ((await res.json()) as { error: { field: string } }).error.field,
    'stages[1].algorithm.overrides.critic.clipValue',
  );

  const created = await json<RunStatus>(await post(trainer.url, ppoConfig(runDir)));
  const done = await waitFor(trainer.url, created.id, (s) => s.state === 'completed');
  assert.equal(done.step, SFT_STEPS + PPO_STEPS);
  reference = await rows(runDir);
  const ppo = reference.filter((r) => r.stageType === 'grpo');
  assert.equal(ppo.length, PPO_STEPS);
  ppo.forEach((r, i) => {
    for (const k of [
      'valueLoss',
      'valueClipFraction',
      'explainedVariance',
      'valueMean',
      'returnMean',
      'advantageMean',
      'advantageStd',
    ])
      assert.equal(typeof r[k as keyof MetricRow], 'number', `${k} at step ${r.step}`);
    assert.equal(r.criticWarmup, i < 2, `criticWarmup at PPO step ${i + 1}`);
  });
  // The zero value head predicts 0 before the critic's first update, and moves after it.
  assert.equal(ppo[0]!.valueMean, 0);
  assert.ok(ppo.slice(1).every((r) => r.valueMean !== 0));
  t.diagnostic(`PPO reward per step: ${ppo.map((r) => (r.rewardMean as number).toFixed(3)).join(' ')}`);
  t.diagnostic(`value loss per step: ${ppo.map((r) => r.valueLoss!.toFixed(4)).join(' ')}`);
  t.diagnostic(`explained variance: ${ppo.map((r) => r.explainedVariance!.toFixed(3)).join(' ')}`);
  t.diagnostic(
    `value mean / return mean: ${ppo.map((r) => `${r.valueMean!.toFixed(3)}/${r.returnMean!.toFixed(3)}`).join(' ')}`,
  );
  const first = mean(ppo.slice(0, 4).map((r) => r.rewardMean as number));
  const last = mean(ppo.slice(-4).map((r) => r.rewardMean as number));
  assert.ok(
    last > first,
    `PPO reward should rise: first 4 steps ${first.toFixed(3)}, last 4 ${last.toFixed(3)}`,
  );
  // A mid-PPO checkpoint holds the critic beside the policy (the one at the stage end needs none).
  const files = await fs.readdir(
    path.join(runDir, 'checkpoints', `step-${SFT_STEPS + PPO_STEPS - 2}`, 'critic'),
  );
  assert.deepEqual(files.sort(), [
    'config.json',
    'critic_state.json',
    'model.safetensors',
    'optimizer.safetensors',
  ]);
});

async function spawnTrainer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(root, 'services/trainer/src/server.ts')],
    {
      cwd: root,
      env: { ...process.env, GRPO_TRAINER_PORT: '0', GRPO_TRAINER_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*trainer service listening/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`trainer exited with ${code} before listening`)));
  });
  child.stdout?.resume();
  return { child, url };
}

test('a PPO trainer killed with SIGKILL resumes with its critic and trains exactly as the uninterrupted run', async (t) => {
  assert.ok(reference.length > 0, 'needs the first test');
  const runDir = path.join(tmp, 'ppo-killed');
  const first = await spawnTrainer({ GRPO_TRAINER_RUNS_DIR: tmp });
  t.after(() => stopChild(first.child, 'SIGKILL'));
  const created = await json<RunStatus>(await post(first.url, ppoConfig(runDir)));
  // Past the warm-up and the checkpoint at SFT + 4, before the one at SFT + 6.
  await waitFor(first.url, created.id, (s) => s.step >= SFT_STEPS + 5);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = await spawnTrainer({ GRPO_TRAINER_RUNS_DIR: tmp, GRPO_TRAINER_RESUME: runDir });
  t.after(() => stopChild(second.child));
  const done = await waitFor(second.url, created.id, (s) => s.state === 'completed');
  assert.equal(done.step, SFT_STEPS + PPO_STEPS);
  assert.ok(
    done.resumedFrom !== undefined && done.resumedFrom >= SFT_STEPS + 4,
    `resumed from ${done.resumedFrom}`,
  );
  const got = await rows(runDir);
  assert.deepEqual(
    got.map((r) => r.step),
    Array.from({ length: SFT_STEPS + PPO_STEPS }, (_, i) => i + 1),
  );
  // Same seeds, same samples: the steps after the resume match the uninterrupted run.
  for (const r of got.filter((x) => x.step > done.resumedFrom!)) {
    const want = reference[r.step - 1]!;
    for (const k of ['rewardMean', 'valueLoss', 'valueMean', 'explainedVariance', 'loss'] as const)
      assert.ok(
        Math.abs((r[k] as number) - (want[k] as number)) <= 1e-5 * Math.max(1, Math.abs(want[k] as number)),
        `step ${r.step} ${k}: resumed ${r[k]} vs uninterrupted ${want[k]}`,
      );
    assert.equal(r.criticWarmup, false);
  }
});
