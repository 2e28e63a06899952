// A short SFT + GRPO run through the three services with the WebGPU provider for the rollout
// engine (the real `grpo serve rollout --execution-provider webgpu` bin, KV cache on the
// device) and the trainer (a run config with executionProvider webgpu, optimizer state on the
// device, checkpointed through syncState). Skips without a Vulkan adapter; fails under CI=true.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { readSafetensors } from '@grpo/model';
import { startRewardServer } from '@grpo/reward-service';
import { startTrainerServer } from '@grpo/trainer-service';
import { needWebgpu } from '../libs/onnx/test/webgpu-helpers.js';
import { stopChild } from './child.js';

const bin = fileURLToPath(new URL('../cli/bin/grpo.mjs', import.meta.url));

async function serveRollout(args: string[]): Promise<{ child: ChildProcess; url: string; banner: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'serve', 'rollout', '--port', '0', '--log-level', 'warn', ...args],
    {
      env: { ...process.env, GRPO_FROM_SOURCE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rollout did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`rollout exited with ${code}:\n${output}`)));
  });
  return { child, url, banner: output };
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

test('SFT then GRPO with webgpu for the rollout service and the trainer completes with finite metrics', async (t) => {
  if (!(await needWebgpu(t))) return;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-webgpu-e2e-'));
  t.after(() => fs.rm(tmp, { recursive: true, force: true }));
  const reward = await startRewardServer({ port: 0, logLevel: 'silent', workers: 1 }, { signals: [] });
  t.after(() => reward.close());
  // The trainer pushes checkpoints from its runs directory: the rollout service may read there.
  const rollout = await serveRollout(['--execution-provider', 'webgpu', '--model-root', tmp]);
  // SIGTERM: the bin forwards it to the service it runs from source (SIGKILL would orphan it).
  t.after(() => stopChild(rollout.child));
  assert.match(rollout.banner, /the tiny built-in policy on webgpu/);
  const trainer = await startTrainerServer({ port: 0, logLevel: 'silent', runsDir: tmp }, { signals: [] });
  t.after(() => trainer.close());

  const runDir = path.join(tmp, 'run');
  const sft = 4;
  const grpo = 3;
  const created = await json<RunStatus>(
    await fetch(`${trainer.url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'webgpu-e2e',
        model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
        data: {
          builtin: 'arithmetic',
          train: { count: 32, maxDigits: 2, zhFraction: 0 },
          eval: { count: 4, maxDigits: 2, zhFraction: 0 },
        },
        rewards: [{ name: 'format' }, { name: 'tags', weight: 0.5 }, { name: 'accuracy' }],
        stages: [
          { type: 'sft', steps: sft, lr: 5e-3, batch: 4 },
          {
            type: 'grpo',
            steps: grpo,
            lr: 2e-3,
            batch: 2,
            groupSize: 4,
            sampling: { temperature: 1, maxTokens: 24 },
          },
        ],
        rolloutUrl: rollout.url,
        rewardUrl: reward.url,
        checkpointEvery: 2,
        seed: 3,
        runDir,
        executionProvider: 'webgpu',
      }),
    }),
  );
  const deadline = Date.now() + 300_000;
  let status: RunStatus;
  for (;;) {
    status = await json<RunStatus>(await fetch(`${trainer.url}/v1/runs/${created.id}`));
    if (status.state === 'completed') break;
    if (status.state === 'failed') throw new Error(`run failed: ${JSON.stringify(status.error)}`);
    if (Date.now() > deadline) throw new Error(`timed out at step ${status.step}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status.step, sft + grpo);
  const rows = (await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricRow);
  assert.deepEqual(
    rows.map((r) => r.stageType),
    [...new Array(sft).fill('sft'), ...new Array(grpo).fill('grpo')],
  );
  for (const r of rows) assert.ok(Number.isFinite(r.loss), `loss at step ${r.step}`);
  for (const r of rows.filter((x) => x.stageType === 'grpo')) {
    assert.equal(typeof r.rewardMean, 'number');
    assert.ok(r.timeRolloutMs > 0 && r.timeTrainMs > 0);
  }
  // A mid-GRPO checkpoint's AdamW moments came back from the device: finite and not all zero.
  const root = path.join(runDir, 'checkpoints');
  const withOpt: string[] = [];
  for (const d of await fs.readdir(root)) {
    if (await fs.stat(path.join(root, d, 'optimizer.safetensors')).catch(() => null)) withOpt.push(d);
  }
  assert.ok(withOpt.length > 0, 'a checkpoint holds optimizer state');
  const opt = await readSafetensors(path.join(root, withOpt[0]!, 'optimizer.safetensors'));
  const v = [...opt.values()].find((x) => x.data.length > 0)!.data as Float32Array;
  assert.ok(v.every(Number.isFinite) && v.some((x) => x !== 0), `moments of ${withOpt[0]}`);
});
