import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { type StartedRewardServer, startRewardServer } from '@grpo/reward-service';
import { type StartedRolloutServer, startRolloutServer } from '@grpo/rollout-service';
import { type StartedTrainerServer, startTrainerServer } from '@grpo/trainer-service';

// A tool-using GRPO run across the three real services over HTTP on 127.0.0.1: the trainer
// cold-starts a tiny policy with SFT on tool traces (tool output masked), then runs GRPO with
// tools; the rollout service runs each call over REST in the reward service's sandbox route.

let tmp: string;
let reward: StartedRewardServer;
let rollout: StartedRolloutServer;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-tool-e2e-'));
  reward = await startRewardServer(
    { port: 0, logLevel: 'silent', workers: 1, sandboxConcurrency: 2 },
    { signals: [] },
  );
  rollout = await startRolloutServer(
    { port: 0, logLevel: 'silent', toolExecutor: 'rest', toolRewardUrl: reward.url, modelRoot: tmp },
    { signals: [], env: {} },
  );
});

after(async () => {
  await rollout?.close();
  await reward?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Multiplication prompts whose traces call the interpreter and copy its output into the answer. */
async function writeData(file: string, count: number, seed: number): Promise<void> {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = 10 + rnd(90);
    const b = 10 + rnd(90);
    const p = a * b;
    lines.push(
      JSON.stringify({
        prompt: `${a}*${b}`,
        answer: String(p),
        segments: [
          { text: `\`\`\`javascript\nconsole.log(${a}*${b})\n\`\`\`` },
          { text: `\n\`\`\`output\n${p}\n\`\`\`\n`, tool: true },
          { text: `<answer>${p}</answer>` },
        ],
      }),
    );
  }
  await fs.writeFile(file, `${lines.join('\n')}\n`);
}

test('SFT on tool traces then GRPO with tools runs through the three services and reports tool metrics', async (t) => {
  const trainer: StartedTrainerServer = await startTrainerServer(
    { port: 0, logLevel: 'silent', runsDir: tmp, dataRoot: tmp },
    { signals: [] },
  );
  t.after(() => trainer.close());
  const data = path.join(tmp, 'mul.jsonl');
  await writeData(data, 64, 7);
  const runDir = path.join(tmp, 'run');
  const SFT = 60;
  const GRPO = 3;
  const res = await fetch(`${trainer.url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'tools-e2e',
      model: { tiny: { hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 } },
      data: { path: data },
      rewards: [{ name: 'accuracy' }],
      stages: [
        { type: 'sft', steps: SFT, lr: 1e-2, batch: 8 },
        {
          type: 'grpo',
          steps: GRPO,
          lr: 1e-3,
          batch: 2,
          groupSize: 4,
          sampling: { temperature: 1, maxTokens: 64 },
          tools: { names: ['javascript'], maxCalls: 2, timeoutMs: 1000, maxOutputChars: 64 },
        },
      ],
      rolloutUrl: rollout.url,
      rewardUrl: reward.url,
      seed: 1,
      runDir,
    }),
  });
  const created = (await res.json()) as RunStatus;
  assert.equal(res.status, 201, JSON.stringify(created));
  const deadline = Date.now() + 240_000;
  let status: RunStatus;
  for (;;) {
    status = (await (await fetch(`${trainer.url}/v1/runs/${created.id}`)).json()) as RunStatus;
    if (status.state === 'completed' || status.state === 'failed') break;
    assert.ok(Date.now() < deadline, `timed out at step ${status.step}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status.state, 'completed', JSON.stringify(status.error));
  const rows = (await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricRow);
  assert.equal(rows.length, SFT + GRPO);
  assert.ok(rows.filter((r) => r.stageType === 'sft').every((r) => r.tools === null));
  const grpo = rows.filter((r) => r.stageType === 'grpo');
  for (const r of grpo) {
    const m = r.tools!;
    assert.ok(m, `step ${r.step} has tool metrics`);
    const shares = Object.values(m.terminations).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(shares - 1) < 1e-9, `termination shares sum to ${shares}`);
    assert.ok(m.turnsMean >= 1);
    assert.equal(m.infraErrorRate, 0);
    assert.ok(r.timeRolloutMs > 0 && r.timeTrainMs > 0);
    assert.equal(typeof r.loss, 'number');
  }
  // The cold start taught the call: the sampled policy runs code through the reward service.
  const calls = grpo.map((r) => r.tools!.callsPerTrajectory);
  t.diagnostic(`calls/trajectory per GRPO step: ${calls.map((c) => c.toFixed(2)).join(' ')}`);
  t.diagnostic(`tool metrics of the last step: ${JSON.stringify(grpo[grpo.length - 1]!.tools)}`);
  assert.ok(Math.max(...calls) > 0, 'no GRPO step made a tool call');
  assert.ok(grpo.some((r) => r.tools!.toolMsMean > 0));
});
