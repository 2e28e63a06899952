import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compileGraph, Graph } from '@grpo/graph';
import { defaultPolicyLossConfig, lossAggregations, policyLossBuilder } from '@grpo/grpo';
import { createTinyPolicy, type Policy, PolicyEngine, type SequenceHook } from '@grpo/model';
import { tensor } from '@grpo/onnx';
import { type GroupBatch, GrpoStep } from '../src/algorithm/index.js';

/**
 * Contract tests of the loss mask of tool-integrated rollouts: tool-output tokens are context,
 * never trained on and never counted.
 */

const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };

// Two trajectories of 8 positions: model, tool (0), model again; the second is shorter (padding).
const B = 2;
const T = 8;
const MASK = [1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0];

test('the gradient at tool positions is exactly zero and the token-mean denominator counts model tokens only', async () => {
  // Tool and padding positions hold extreme values on purpose: any leak shows as NaN or a non-zero.
  const logp = [-0.5, -1.2, 50, 50, 50, -0.7, -2.0, -0.1, -0.3, 50, 50, -1.5, -0.9, 50, 50, 50];
  const old = [-0.6, -1.0, -60, -60, -60, -0.9, -1.7, -0.2, -0.2, -60, -60, -1.4, -1.2, -60, -60, -60];
  const ref = old.map((x, i) => (MASK[i] ? x + 0.3 : 60));
  const ent = MASK.map((m) => (m ? 1.5 : 1e6));
  const adv = [1.3, -0.8];
  for (const aggregation of lossAggregations) {
    const cfg = { ...defaultPolicyLossConfig, aggregation, klCoef: 0.04, entropyCoef: 0.01, normLength: 16 };
    const g = new Graph();
    const lp = g.input('logprobs', 'float32', ['batch', 'seq']);
    const mask = g.input('mask', 'float32', ['batch', 'seq']);
    const entropy = g.input('entropy', 'float32', ['batch', 'seq']);
    const { loss, metrics } = policyLossBuilder(cfg)(g, { logprobs: lp, mask, entropy });
    g.output('loss', loss);
    g.output('pg', metrics.pgLoss);
    const [d] = g.grad(loss, [lp]);
    g.output('dlogp', d!);
    const s = await compileGraph(g, session);
    const f = (xs: number[]) => tensor('float32', Float32Array.from(xs), [B, T]);
    const out = await s.run({
      logprobs: f(logp),
      mask: f(MASK),
      entropy: f(ent),
      old_logprobs: f(old),
      ref_logprobs: f(ref),
      advantages: tensor('float32', Float32Array.from(adv), [B]),
    });
    await s.release();
    const dl = out.dlogp!.data as Float32Array;
    MASK.forEach((m, i) => {
      if (m === 0) assert.equal(dl[i], 0, `${aggregation}: gradient ${dl[i]} at tool position ${i}`);
      else
        assert.ok(dl[i] !== 0 && Number.isFinite(dl[i]!), `${aggregation}: gradient at model position ${i}`);
    });
    if (aggregation === 'token-mean') {
      // pg per model token = max(-r A, -clip(r) A); denominator = 8 model tokens, not 16 positions.
      let sum = 0;
      MASK.forEach((m, i) => {
        if (!m) return;
        const a = adv[Math.floor(i / T)]!;
        const r = Math.exp(logp[i]! - old[i]!);
        sum += Math.max(-r * a, -Math.min(Math.max(r, 0.8), 1.2) * a);
      });
      const n = MASK.filter((m) => m === 1).length;
      assert.equal(n, 8);
      const pg = (out.pg!.data as Float32Array)[0]!;
      assert.ok(Math.abs(pg - sum / n) < 1e-5, `pg ${pg} vs ${sum / n}`);
    }
  }
});

async function tiny(t: { after: (fn: () => Promise<void>) => void }): Promise<Policy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-tool-mask-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return createTinyPolicy({ dir, seed: 7, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 });
}

/** Multi-turn trajectories from the engine: after 3 sampled ids of a turn, 4 "tool" ids are inserted, twice. */
async function toolBatch(p: Policy, t: { after: (fn: () => Promise<void>) => void }): Promise<GroupBatch[]> {
  const engine = await PolicyEngine.create(p, { session });
  t.after(() => engine.release());
  const prompts = ['ab', 'Hello'].map((s) => p.tokenizer.encode(s));
  const hook = (): SequenceHook => {
    let calls = 2;
    return {
      pause: (turn) => calls > 0 && !turn.eos && turn.ids.length === 3,
      resume: async () => {
        calls--;
        return { insert: [40, 41, 42, 43] };
      },
    };
  };
  const out = await engine.generateInteractive(
    prompts.map((promptIds) => ({ promptIds, groupSize: 4, maxTokens: 20, seed: 5, eosTokenIds: [], hook })),
  );
  return out.completions.map((g, gi) => ({
    promptIds: prompts[gi]!,
    completions: g.map((c, i) => ({
      tokenIds: c.tokenIds,
      logprobs: c.logprobs,
      lossMask: c.lossMask,
      rewardTotal: (gi + i) % 3,
    })),
  }));
}

test('on a multi-turn tool trajectory the trainer recomputes the rollout logprobs at model positions and counts model tokens only', async (t) => {
  const p = await tiny(t);
  const batch = await toolBatch(p, t);
  const all = batch.flatMap((g) => g.completions);
  assert.ok(
    all.every((c) => c.lossMask!.filter((m) => m === 0).length === 8),
    'two inserts of 4 per trajectory',
  );
  const step = await GrpoStep.create({
    config: p.config,
    tensors: p.tensors,
    algorithm: { preset: 'grpo', loss: { aggregation: 'seq-mean-token-mean' } },
    session,
  });
  t.after(() => step.release());
  const { metrics: m } = await step.step(batch, { lr: 1e-3 });
  // The train run's forward equals the rollout's logprobs at model positions: ratio 1, nothing clipped, KL 0.
  assert.equal(m.clip_fraction, 0);
  assert.ok(Math.abs(m.kl) < 1e-5, `kl ${m.kl}`);
  const advMean = m.advantage_abs_mean; // advantages sum to 0 per group; pg = -mean(A) = 0 on-policy
  assert.ok(advMean > 0);
  assert.ok(Math.abs(m.pg_loss) < 1e-5, `pg_loss ${m.pg_loss}`);
  const modelTokens = all.map((c) => c.lossMask!.filter((x) => x === 1).length);
  assert.equal(
    m.tokens,
    modelTokens.reduce((a, b) => a + b, 0),
  );
  assert.equal(m.completion_length_mean, modelTokens.reduce((a, b) => a + b, 0) / modelTokens.length);
  assert.equal(m.completion_length_max, Math.max(...modelTokens));
});

test('values at masked positions change nothing; an all-zero mask trains on nothing but keeps its reward in the baseline', async (t) => {
  const p = await tiny(t);
  const batch = await toolBatch(p, t);
  const run = async (b: GroupBatch[]) => {
    const step = await GrpoStep.create({ config: p.config, tensors: p.tensors, session });
    t.after(() => step.release());
    return (await step.step(b, { lr: 1e-3 })).metrics;
  };
  const a = await run(batch);
  // Old logprobs at tool positions set to another value: the loss and every metric are the same.
  const poked = batch.map((g) => ({
    ...g,
    completions: g.completions.map((c) => ({
      ...c,
      logprobs: c.logprobs!.map((x, i) => (c.lossMask![i] ? x : -3)),
    })),
  }));
  const b = await run(poked);
  for (const k of ['loss', 'pg_loss', 'kl', 'entropy', 'clip_fraction', 'grad_norm', 'tokens'] as const)
    assert.equal(a[k], b[k], k);
  // Masking a whole trajectory out (a void turn) removes its tokens, not its sequence or reward.
  const masked = batch.map((g, gi) => ({
    ...g,
    completions: g.completions.map((c, ci) =>
      gi === 0 && ci === 0 ? { ...c, lossMask: c.lossMask!.map(() => 0) } : c,
    ),
  }));
  const c = await run(masked);
  assert.equal(c.sequences, a.sequences);
  assert.equal(c.reward_mean, a.reward_mean);
  assert.equal(c.advantage_abs_mean, a.advantage_abs_mean);
  assert.equal(c.tokens, a.tokens - batch[0]!.completions[0]!.lossMask!.filter((x) => x === 1).length);
});
