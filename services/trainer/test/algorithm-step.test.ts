import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AlgorithmInputError } from '@grpo/grpo';
import { createTinyPolicy, type Policy, PolicyEngine } from '@grpo/model';
import { type GroupBatch, GrpoStep, SftStep } from '../src/algorithm/index.js';

const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };

async function tiny(t: { after: (fn: () => Promise<void>) => void }): Promise<Policy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-step-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return createTinyPolicy({ dir, seed: 7, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 });
}

/** Samples groups with the engine and scores them with `reward(groupIndex, sampleIndex)`. */
async function sampled(
  p: Policy,
  reward: (g: number, i: number) => number,
  t: { after: (fn: () => Promise<void>) => void },
): Promise<GroupBatch[]> {
  const engine = await PolicyEngine.create(p, { session, weights: 'inputs' });
  t.after(() => engine.release());
  const prompts = ['ab', 'Hello', 'x'].map((s) => p.tokenizer.encode(s));
  const out = await engine.generate({ prompts, groupSize: 4, maxTokens: 5, seed: 1 });
  return out.completions.map((g, gi) => ({
    promptIds: prompts[gi]!,
    completions: g.map((c, i) => ({
      tokenIds: c.tokenIds,
      logprobs: c.logprobs,
      rewardTotal: reward(gi, i),
    })),
  }));
}

test('on-policy, the graph loss equals the host reference loss (the feeds line up with the tokens)', async (t) => {
  const p = await tiny(t);
  const batch = await sampled(p, (g, i) => (g + i) % 3, t);
  // grpo preset: k3 KL in the loss (beta 0.04) against the initial weights, seq-mean-token-mean.
  const step = await GrpoStep.create({ config: p.config, tensors: p.tensors, session });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  assert.ok(
    Math.abs(m.loss - (m.pg_loss + 0.04 * m.kl)) < 1e-4,
    `graph ${m.loss} vs host ${m.pg_loss} + 0.04 * ${m.kl}`,
  );
  assert.ok(Math.abs(m.kl) < 1e-5, `KL to the identical reference is ${m.kl}`);
  assert.ok(m.clip_fraction === 0, `clip fraction ${m.clip_fraction} on-policy`);
  assert.ok(m.entropy > 4, `a random policy over ~360 tokens has high entropy, got ${m.entropy}`);
  assert.equal(m.updates, 1);
  assert.equal(m.sequences, 12);
  assert.equal(step.version, 1);
  assert.ok(m.grad_norm > 0);
});

test('zero-std groups are counted, and dynamic sampling drops them before the update', async (t) => {
  const p = await tiny(t);
  // group 0: all equal, group 1: varied, group 2: all equal.
  const batch = await sampled(p, (g, i) => (g === 1 ? i : 1), t);
  const step = await GrpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'dapo' },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  assert.ok(Math.abs(m.zero_std_group_fraction - 2 / 3) < 1e-12);
  assert.equal(m.groups_dropped, 2);
  assert.equal(m.sequences, 4);
  assert.equal(m.updates, 1);
});

test('a batch with no informative group takes no update and leaves the weights as they were', async (t) => {
  const p = await tiny(t);
  const batch = await sampled(p, () => 0.5, t);
  const step = await GrpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'dapo' },
    session,
  });
  t.after(() => step.release());
  const before = step.tensors();
  const { metrics: m, version } = await step.step(batch, { lr: 1e-2 });
  assert.equal(m.updates, 0);
  assert.equal(version, 0);
  assert.equal(m.zero_std_group_fraction, 1);
  const after = step.tensors();
  for (const [name, t0] of before) assert.deepEqual(after.get(name)!.data, t0.data, name);
});

test('an empty completion trains as a masked row and does not produce NaN', async (t) => {
  const p = await tiny(t);
  const prompt = p.tokenizer.encode('Hi');
  const eos = p.config.eosTokenIds[0]!;
  const batch: GroupBatch[] = [
    {
      promptIds: prompt,
      completions: [
        { tokenIds: [], logprobs: [], rewardTotal: 0 },
        { tokenIds: [40, 41, eos], rewardTotal: 1 },
        { tokenIds: [42], rewardTotal: 0.5 },
      ],
    },
  ];
  for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
    const step = await GrpoStep.create({
      config: p.config,
      tensors: p.tensors,
      algorithm: { preset: 'grpo', loss: { aggregation, normLength: 8 } },
      session,
    });
    try {
      const { metrics: m } = await step.step(batch, { lr: 1e-3 });
      assert.ok(Number.isFinite(m.loss) && Number.isFinite(m.grad_norm), `${aggregation}: ${m.loss}`);
      assert.ok(
        Math.abs(m.loss - (m.pg_loss + 0.04 * m.kl)) < 1e-4,
        `${aggregation}: ${m.loss} vs ${m.pg_loss}`,
      );
      assert.equal(m.completion_length_min, 0);
      assert.equal(m.tokens, 4);
    } finally {
      await step.release();
    }
  }
});

test('several epochs and mini-batches take that many updates and report a non-zero clip fraction', async (t) => {
  const p = await tiny(t);
  const batch = await sampled(p, (g, i) => (i % 2) + g, t);
  const step = await GrpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: {
      preset: 'dapo',
      updates: { epochs: 2, miniBatches: 3 },
      dynamicSampling: { enabled: false },
    },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 5e-2 });
  assert.equal(m.updates, 6);
  assert.equal(step.version, 6);
  assert.ok(
    m.clip_fraction > 0,
    `after large steps some ratios leave the clip range, got ${m.clip_fraction}`,
  );
});

test('KL in the reward lowers the shaped reward once the policy has moved from the reference', async (t) => {
  const p = await tiny(t);
  const reference = p.tensors;
  // Move the policy away from the reference with a few SFT steps.
  const sft = await SftStep.create({ config: p.config, tensors: p.tensors, session });
  t.after(() => sft.release());
  const ex = { promptIds: p.tokenizer.encode('Hi'), completionIds: p.tokenizer.encode(' there') };
  const l0 = await sft.evaluate([ex]);
  for (let i = 0; i < 5; i++) await sft.step([ex], 1e-2);
  assert.ok((await sft.evaluate([ex])) < l0, 'SFT lowers the loss');
  const moved: Policy = { ...p, tensors: sft.tensors() };
  const batch = await sampled(moved, (_g, i) => i, t);
  const step = await GrpoStep.create({
    config: p.config,
    tensors: moved.tensors,
    reference,
    algorithm: { preset: 'rloo', kl: { coef: 0.5, estimator: 'k1' } },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  assert.ok(m.kl !== 0, 'the reference differs from the policy');
  assert.ok(m.reward_shaped_mean !== m.reward_mean, `${m.reward_shaped_mean} vs ${m.reward_mean}`);
});

test('bad batches are rejected with a code and the field', async (t) => {
  const p = await tiny(t);
  const step = await GrpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'dapo' },
    session,
  });
  t.after(() => step.release());
  const cases: [GroupBatch[], string][] = [
    [[], 'groups'],
    [[{ promptIds: [], completions: [{ tokenIds: [1], rewardTotal: 0 }] }], 'groups[0].promptIds'],
    [
      [{ promptIds: [9], completions: [{ tokenIds: [1, 2], logprobs: [-1], rewardTotal: 0 }] }],
      'groups[0].completions[0].logprobs',
    ],
    [
      [{ promptIds: [9], completions: [{ tokenIds: [1e9], rewardTotal: 0 }] }],
      'groups[0].completions[0].tokenIds[0]',
    ],
    [
      [{ promptIds: [9], completions: [{ tokenIds: [1], rewardTotal: Number.NaN }] }],
      'groups[0].completions[0].rewardTotal',
    ],
  ];
  for (const [batch, field] of cases) {
    await assert.rejects(
      step.step(batch, { lr: 1e-3 }),
      (e: unknown) =>
        e instanceof AlgorithmInputError && e.code === 'GRPO_BAD_ALGORITHM_INPUT' && e.field === field,
      field,
    );
  }
});

test('off-policy old logprobs line up token by token: the graph loss equals the host reference', async (t) => {
  const p = await tiny(t);
  // A trained policy has non-uniform logprobs, so a one-position shift would change the loss.
  const sft = await SftStep.create({ config: p.config, tensors: p.tensors, session });
  t.after(() => sft.release());
  const ex = { promptIds: p.tokenizer.encode('ab'), completionIds: p.tokenizer.encode('cdefg') };
  for (let i = 0; i < 10; i++) await sft.step([ex], 1e-2);
  const moved: Policy = { ...p, tensors: sft.tensors() };
  const batch = (await sampled(moved, (g, i) => (g * 3 + i) % 4, t)).map((g) => ({
    ...g,
    // Distinct per-position offsets: ratios from exp(-0.3) to exp(0.3), some clipped.
    completions: g.completions.map((c) => ({
      ...c,
      logprobs: c.logprobs!.map((lp, j) => lp + 0.15 * ((j % 5) - 2)),
    })),
  }));
  const step = await GrpoStep.create({
    config: p.config,
    tensors: moved.tensors,
    algorithm: { preset: 'dapo', dynamicSampling: { enabled: false } },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  assert.ok(m.clip_fraction > 0, `some ratios are outside the clip range, got ${m.clip_fraction}`);
  assert.ok(Math.abs(m.loss - m.pg_loss) < 1e-4, `graph ${m.loss} vs host ${m.pg_loss}`);
  // One update: no scoring forward, the metrics come from the train run's own forward. Two
  // epochs score first; their batch metrics (before any update) are the same numbers.
  assert.equal(m.time_score_ms, 0);
  const scored = await GrpoStep.create({
    config: p.config,
    tensors: moved.tensors,
    algorithm: {
      preset: 'dapo',
      dynamicSampling: { enabled: false },
      updates: { epochs: 2, miniBatches: 1 },
    },
    session,
  });
  t.after(() => scored.release());
  const { metrics: s } = await scored.step(batch, { lr: 1e-3 });
  assert.ok(s.time_score_ms > 0);
  for (const k of ['pg_loss', 'entropy', 'kl'] as const)
    assert.ok(Math.abs(m[k] - s[k]) < 1e-5, `${k}: train-run forward ${m[k]} vs scoring forward ${s[k]}`);
  assert.ok(m.entropy > 0.1);
});
