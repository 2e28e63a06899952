import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CreateRunRequestBody, createTrainerClient } from '@grpo/clients';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { type StartedRewardServer, startRewardServer } from '@grpo/reward-service';
import { type StartedRolloutServer, startRolloutServer } from '@grpo/rollout-service';
import { type StartedTrainerServer, startTrainerServer } from '@grpo/trainer-service';
import { stopChild } from './child.js';

// The GRPO loop across the three real services over HTTP on 127.0.0.1: reward (worker pool),
// rollout (embedded ONNX engine) and trainer. The trainer of the second test is a child process
// killed with SIGKILL mid-run and restarted on the same run directory.

const root = fileURLToPath(new URL('..', import.meta.url));
let tmp: string;
let reward: StartedRewardServer;
let rollout: StartedRolloutServer;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-trainer-e2e-'));
  reward = await startRewardServer({ port: 0, logLevel: 'silent', workers: 1 }, { signals: [] });
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

/** SFT steps of the cold start: enough for partial R1 tags, so the tag rewards vary within groups. */
const SFT_STEPS = 80;

/** A short SFT cold start, then GRPO; tiny policy, 2-digit English arithmetic. */
function loopConfig(runDir: string, grpoSteps: number, extra: Record<string, unknown> = {}) {
  return {
    name: 'e2e',
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
        steps: grpoSteps,
        lr: 2e-3,
        batch: 4,
        groupSize: 6,
        sampling: { temperature: 1, maxTokens: 96 },
      },
    ],
    rolloutUrl: rollout.url,
    rewardUrl: reward.url,
    checkpointEvery: 2,
    seed: 3,
    runDir,
    ...extra,
  };
}

/** The config with its GRPO stage sampling each next step during the update (overlapRollout). */
function overlapping(config: ReturnType<typeof loopConfig>) {
  return { ...config, stages: [config.stages[0], { ...config.stages[1], overlapRollout: true }] };
}

/** The trainer's generated client (openapi/trainer.json); no retries, so a failing call shows at once. */
const trainerAt = (url: string) => createTrainerClient({ baseUrl: url, retries: 0 });

async function waitFor(
  url: string,
  id: string,
  done: (s: RunStatus) => boolean,
  timeoutMs = 120_000,
): Promise<RunStatus> {
  const deadline = Date.now() + timeoutMs;
  const client = trainerAt(url);
  for (;;) {
    const s = (await client.getRun(id)) as RunStatus;
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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('SFT then GRPO across the three services completes and the GRPO reward rises', async (t) => {
  const trainer: StartedTrainerServer = await startTrainerServer(
    { port: 0, logLevel: 'silent', runsDir: tmp },
    { signals: [] },
  );
  t.after(() => trainer.close());
  const runDir = path.join(tmp, 'rises');
  const created = await trainerAt(trainer.url).createRun(loopConfig(runDir, 16) as CreateRunRequestBody);
  const done = await waitFor(trainer.url, created.id, (s) => s.state === 'completed');
  assert.equal(done.step, SFT_STEPS + 16);
  // The last weights of both stages are kept, listed, and served by the rollout service.
  assert.deepEqual(
    done.checkpoints.map((c) => [c.name, c.step, c.path]),
    [
      ['0-sft', SFT_STEPS, path.join(runDir, 'checkpoints', '0-sft')],
      ['1-grpo', SFT_STEPS + 16, path.join(runDir, 'checkpoints', '1-grpo')],
    ],
  );
  for (const c of done.checkpoints) {
    const put = await fetch(`${rollout.url}/v1/policy`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: c.path }),
    });
    assert.equal(put.status, 200, await put.text());
    const r = await fetch(`${rollout.url}/v1/rollouts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        prompts: [{ text: 'What is 2 + 3?' }],
        groupSize: 1,
        maxTokens: 8,
        temperature: 0,
      }),
    });
    assert.equal(r.status, 200, await r.text());
  }
  const all = await rows(runDir);
  assert.deepEqual(
    all.map((r) => r.step),
    Array.from({ length: SFT_STEPS + 16 }, (_, i) => i + 1),
  );
  const grpo = all.filter((r) => r.stageType === 'grpo');
  for (const r of grpo) {
    for (const k of [
      'rewardMean',
      'rewardStd',
      'accuracy',
      'entropy',
      'clipFraction',
      'zeroStdFraction',
      'completionLengthMean',
    ]) {
      assert.equal(typeof r[k as keyof MetricRow], 'number', `${k} at step ${r.step}`);
    }
    assert.ok(r.timeRolloutMs > 0 && r.timeRewardMs > 0 && r.timeTrainMs > 0 && r.timeSyncMs > 0);
    assert.deepEqual(Object.keys(r.rewards).sort(), ['accuracy', 'format', 'tags']);
  }
  t.diagnostic(`GRPO reward per step: ${grpo.map((r) => (r.rewardMean as number).toFixed(3)).join(' ')}`);
  const first = mean(grpo.slice(0, 4).map((r) => r.rewardMean as number));
  const last = mean(grpo.slice(-4).map((r) => r.rewardMean as number));
  assert.ok(
    last > first,
    `GRPO reward should rise: first 4 steps ${first.toFixed(3)}, last 4 ${last.toFixed(3)}`,
  );
});

/** Starts the trainer service as a child process and resolves with its URL once it listens. */
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

test('a trainer killed with SIGKILL mid-GRPO resumes from its last checkpoint without repeating or skipping a step', async (t) => {
  const runDir = path.join(tmp, 'killed');
  const first = await spawnTrainer({ GRPO_TRAINER_RUNS_DIR: tmp });
  t.after(() => stopChild(first.child, 'SIGKILL'));
  const created = await trainerAt(first.url).createRun(
    overlapping(loopConfig(runDir, 6)) as CreateRunRequestBody,
  );
  // Kill between checkpoints, during GRPO: SFT_STEPS + 3 is past the checkpoint at SFT_STEPS + 2.
  await waitFor(first.url, created.id, (s) => s.step >= SFT_STEPS + 3);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const before = (await rows(runDir)).map((r) => r.step);
  assert.ok(before.length >= SFT_STEPS + 3, `metrics had ${before.length} rows when killed`);

  const second = await spawnTrainer({ GRPO_TRAINER_RUNS_DIR: tmp, GRPO_TRAINER_RESUME: runDir });
  t.after(() => stopChild(second.child));
  const done = await waitFor(second.url, created.id, (s) => s.state === 'completed');
  assert.equal(done.step, SFT_STEPS + 6);
  assert.ok(
    done.resumedFrom !== undefined && done.resumedFrom >= SFT_STEPS + 2 && done.resumedFrom % 2 === 0,
  );
  const steps = (await rows(runDir)).map((r) => r.step);
  assert.deepEqual(
    steps,
    Array.from({ length: SFT_STEPS + 6 }, (_, i) => i + 1),
  );
  // A mid-GRPO checkpoint carries the stage's KL reference (the weights GRPO started from) and,
  // with overlapRollout, the next step's samples, requested before the checkpoint's update.
  const mid = path.join(runDir, 'checkpoints', `step-${SFT_STEPS + 4}`);
  const files = await fs.readdir(mid);
  assert.ok(files.includes('reference.safetensors'));
  const pending = JSON.parse(await fs.readFile(path.join(mid, 'pending_rollout.json'), 'utf8'));
  assert.deepEqual([pending.stage, pending.stageStep], [1, 5]);
  assert.equal(pending.rollout.groups.length, 4);
});
