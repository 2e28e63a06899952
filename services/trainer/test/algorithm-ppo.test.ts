import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTinyPolicy, type Policy, PolicyEngine } from '@grpo/model';
import {
  createAlgorithmStepper,
  type GroupBatch,
  PpoStep,
  type PpoStepperResult,
} from '../src/algorithm/index.js';
import type { Group } from '../src/run/step.js';

/**
 * PPO with GAE and a learned critic, in process: the digits task of algorithm-learning.test.ts
 * (reward = share of digit characters; a random policy scores ~0.03), with groups of one (PPO
 * needs no groups) and of eight; exact first-step numbers against hand computation; critic
 * warm-up; and the critic's state surviving a save and load.
 */

const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const PROMPTS = ['Digits:', 'Numbers please:', 'Say 7:', 'Count:'];
const MAX_TOKENS = 6;

function digitShare(text: string): number {
  if (text.length === 0) return 0;
  let d = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') d++;
  return d / [...text].length;
}

async function tiny(t: { after: (fn: () => Promise<void>) => void }, seed = 3): Promise<Policy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-ppo-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return createTinyPolicy({ dir, seed, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 });
}

/** Samples `perPrompt` completions of every prompt, as groups of `groupSize`. */
async function sample(
  p: Policy,
  engine: PolicyEngine,
  perPrompt: number,
  groupSize: number,
  seed: number,
): Promise<GroupBatch[]> {
  const prompts = PROMPTS.map((s) => p.tokenizer.encode(s));
  const out = await engine.generate({
    prompts,
    groupSize: perPrompt,
    maxTokens: MAX_TOKENS,
    temperature: 1,
    seed,
  });
  const batch: GroupBatch[] = [];
  out.completions.forEach((group, i) => {
    for (let k = 0; k < group.length; k += groupSize)
      batch.push({
        promptIds: prompts[i]!,
        completions: group.slice(k, k + groupSize).map((c) => ({
          tokenIds: c.tokenIds,
          logprobs: c.logprobs,
          rewardTotal: digitShare(c.text ?? ''),
        })),
      });
  });
  return batch;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const [preset, groupSize] of [
  ['ppo_orz', 1],
  ['ppo', 8],
] as const) {
  test(`${preset} with groups of ${groupSize} raises the mean reward of a tiny policy by at least 0.5 in 30 steps`, async (t) => {
    const p = await tiny(t);
    const engine = await PolicyEngine.create(p, { session, weights: 'inputs' });
    const step = await PpoStep.create({
      config: p.config,
      tensors: p.tensors,
      algorithm: { preset, loss: { aggregation: 'token-mean' }, critic: { lr: 1e-2 } },
      session,
    });
    t.after(async () => {
      await engine.release();
      await step.release();
    });
    const curve: number[] = [];
    const ev: number[] = [];
    for (let s = 0; s < 30; s++) {
      const batch = await sample(p, engine, 8, groupSize, 100 + s);
      assert.equal(batch.length, 32 / groupSize);
      const { metrics: m } = await step.step(batch, { lr: 1e-2 });
      assert.equal(m.sequences, 32);
      assert.ok(Number.isFinite(m.value_loss) && Number.isFinite(m.explained_variance));
      curve.push(m.reward_mean);
      ev.push(m.explained_variance);
      await engine.swapWeights(step.tensors());
    }
    const first = mean(curve.slice(0, 5));
    const last = mean(curve.slice(-5));
    t.diagnostic(`reward ${curve.map((x) => x.toFixed(2)).join(' ')}`);
    t.diagnostic(`explained variance ${ev.map((x) => x.toFixed(2)).join(' ')}`);
    assert.ok(first < 0.15, `first steps average ${first}`);
    assert.ok(last - first >= 0.5, `mean reward went from ${first.toFixed(3)} to ${last.toFixed(3)}`);
  });
}

test('first step with lambda = gamma = 1, no whitening and a zero value head: advantages are the rewards', async (t) => {
  const p = await tiny(t, 5);
  const prompt = p.tokenizer.encode('Q');
  const batch: GroupBatch[] = [
    {
      promptIds: prompt,
      completions: [{ tokenIds: [40, 41, 42], logprobs: [-5.9, -5.9, -5.9], rewardTotal: 1 }],
    },
    { promptIds: [...prompt, 7], completions: [{ tokenIds: [43], logprobs: [-5.9], rewardTotal: 0.5 }] },
    { promptIds: prompt, completions: [{ tokenIds: [], rewardTotal: 0.25 }] },
  ];
  const step = await PpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'ppo_orz', gae: { whiten: false }, critic: { clipValue: null, lr: 1e-3 } },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  // 4 action tokens: three with return 1, one with 0.5; values all 0.
  assert.equal(m.tokens, 4);
  assert.equal(m.value_mean, 0);
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);
  close(m.return_mean, 3.5 / 4, 'return_mean');
  close(m.advantage_mean, 3.5 / 4, 'advantage_mean');
  close(m.advantage_std, Math.sqrt((3 * (1 - 0.875) ** 2 + (0.5 - 0.875) ** 2) / 4), 'advantage_std');
  close(m.value_loss, (0.5 * (3 * 1 + 0.25)) / 4, 'value_loss');
  assert.equal(m.value_clip_fraction, 0);
  assert.equal(m.explained_variance, 0, 'zero values explain none of the variance');
  assert.equal(m.updates, 1);
  assert.equal(m.critic_updates, 1);
  // The critic moved towards the returns.
  const again = await step.critic.values([{ ids: [...prompt, 40, 41, 42], promptLength: prompt.length }]);
  assert.ok(
    again[0]!.every((v) => v > 0),
    `values after one step: ${Array.from(again[0]!)}`,
  );
});

test('critic warm-up trains the critic alone for warmupSteps steps, then the policy too', async (t) => {
  const p = await tiny(t, 6);
  const prompt = p.tokenizer.encode('Q');
  const batch: GroupBatch[] = [
    { promptIds: prompt, completions: [{ tokenIds: [40, 41], logprobs: [-5.9, -5.9], rewardTotal: 1 }] },
    { promptIds: prompt, completions: [{ tokenIds: [42], logprobs: [-5.9], rewardTotal: 0 }] },
  ];
  const step = await PpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'ppo_orz', critic: { warmupSteps: 2 } },
    session,
  });
  t.after(() => step.release());
  const w0 = step.tensors().get('model.norm.weight')!.data;
  for (let s = 0; s < 2; s++) {
    const { metrics: m } = await step.step(batch, { lr: 1e-2 });
    assert.equal(m.critic_warmup, 1);
    assert.equal(m.updates, 0);
    assert.equal(m.critic_updates, 1);
    assert.deepEqual(step.tensors().get('model.norm.weight')!.data, w0, 'policy frozen during warm-up');
  }
  const { metrics: m } = await step.step(batch, { lr: 1e-2 });
  assert.equal(m.critic_warmup, 0);
  assert.equal(m.updates, 1);
  assert.notDeepEqual(step.tensors().get('model.norm.weight')!.data, w0);
  assert.equal(step.critic.stepCount, 3);
});

test('the stepper saves the critic beside the policy and a fresh one loaded from it takes the identical next step', async (t) => {
  const p = await tiny(t, 8);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-ppo-ckpt-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const prompt = p.tokenizer.encode('Q');
  const groups = (r: number): Group[] => [
    {
      samples: [
        { promptIds: prompt, completionIds: [40, 41, 44], logprobs: [-5.9, -5.9, -5.9], reward: r },
        { promptIds: prompt, completionIds: [42], logprobs: [-5.9], reward: 1 - r },
      ],
    },
  ];
  const algorithm = { name: 'ppo', overrides: { critic: { warmupSteps: 1 }, updates: { epochs: 2 } } };
  const make = () =>
    createAlgorithmStepper({ config: p.config, tensors: p.tensors, reference: p.tensors, algorithm });
  const a = await make();
  t.after(() => a.release());
  const r1 = (await a.step(groups(1), 1e-2, 1)) as PpoStepperResult;
  assert.equal(r1.critic?.criticWarmup, true);
  await a.step(groups(0), 1e-2, 1);
  await a.saveState!(dir);
  const files = (await fs.readdir(path.join(dir, 'critic'))).sort();
  assert.deepEqual(files, ['config.json', 'critic_state.json', 'model.safetensors', 'optimizer.safetensors']);
  const opt = a.optimizerState();

  // A new process: policy weights and optimizer from the checkpoint, then the critic's state.
  const b = await createAlgorithmStepper({
    config: p.config,
    tensors: a.tensors(),
    reference: p.tensors,
    algorithm,
  });
  t.after(() => b.release());
  b.loadOptimizerState(opt);
  await b.loadState!(dir);
  const ra = (await a.step(groups(1), 1e-2, 1)) as PpoStepperResult;
  const rb = (await b.step(groups(1), 1e-2, 1)) as PpoStepperResult;
  assert.deepEqual(rb.critic, ra.critic);
  assert.equal(rb.loss, ra.loss);
  assert.equal(rb.metrics.critic_warmup, 0);
  assert.ok(ra.metrics.value_clip_fraction >= 0 && ra.metrics.critic_updates === 2);
  assert.deepEqual(b.tensors().get('model.norm.weight')!.data, a.tensors().get('model.norm.weight')!.data);
  // Without the critic's state the next step differs (the test can fail).
  const c = await createAlgorithmStepper({
    config: p.config,
    tensors: p.tensors,
    reference: p.tensors,
    algorithm,
  });
  t.after(() => c.release());
  const rc = (await c.step(groups(1), 1e-2, 1)) as PpoStepperResult;
  assert.notDeepEqual(rc.critic, ra.critic);
});

test('completions without sampling logprobs are scored by the current policy: on-policy, nothing is clipped', async (t) => {
  const p = await tiny(t, 9);
  const prompt = p.tokenizer.encode('Q');
  const batch: GroupBatch[] = [
    {
      promptIds: prompt,
      completions: [
        { tokenIds: [40, 41], rewardTotal: 1 },
        { tokenIds: [42], rewardTotal: 0 },
      ],
    },
  ];
  const step = await PpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'ppo' },
    session,
  });
  t.after(() => step.release());
  for (let s = 0; s < 3; s++) {
    const { metrics: m } = await step.step(batch, { lr: 1e-2 });
    assert.equal(m.clip_fraction, 0, `step ${s}`);
    assert.ok(m.time_score_ms > 0);
    assert.ok(Math.abs(m.kl) < 1e-6 || s > 0, `KL to the identical reference at step 0: ${m.kl}`);
  }
});
