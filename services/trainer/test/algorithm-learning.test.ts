import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTinyPolicy, PolicyEngine } from '@grpo/model';
import { type GroupBatch, GrpoStep } from '../src/algorithm/index.js';

/**
 * GRPO learns in-process: a tiny random policy, a verifiable reward with a dense signal (the
 * share of digit characters in a short completion; about 10 of the ~360 char tokens are
 * digits, so a random policy scores ~0.03), PolicyEngine sampling and GrpoStep updates. Fixed
 * seeds and one ORT thread make the run deterministic.
 */
/** Steps of the run, and the rise of the mean reward (last 5 steps vs first 5) it must reach. */
const STEPS = 30;
const MARGIN = 0.6;
const PROMPTS = ['Digits:', 'Numbers please:', 'Say 7:', 'Count:'];
const G = 8;
const MAX_TOKENS = 6;

function digitShare(text: string): number {
  if (text.length === 0) return 0;
  let d = 0;
  for (const ch of text) if (ch >= '0' && ch <= '9') d++;
  return d / [...text].length;
}

async function run(steps: number, dir: string): Promise<number[]> {
  const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const policy = await createTinyPolicy({ dir, seed: 3, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 });
  const engine = await PolicyEngine.create(policy, { session, weights: 'inputs' });
  const step = await GrpoStep.create({
    config: policy.config,
    tensors: policy.tensors,
    algorithm: { preset: 'grpo', kl: { mode: 'none' }, loss: { aggregation: 'token-mean' } },
    session,
  });
  try {
    const prompts = PROMPTS.map((p) => policy.tokenizer.encode(p));
    const curve: number[] = [];
    for (let s = 0; s < steps; s++) {
      const out = await engine.generate({
        prompts,
        groupSize: G,
        maxTokens: MAX_TOKENS,
        temperature: 1,
        seed: 100 + s,
      });
      const batch: GroupBatch[] = out.completions.map((group, i) => ({
        promptIds: prompts[i]!,
        completions: group.map((c) => ({
          tokenIds: c.tokenIds,
          logprobs: c.logprobs,
          rewardTotal: digitShare(c.text ?? ''),
        })),
      }));
      const { metrics } = await step.step(batch, { lr: 1e-2 });
      curve.push(metrics.reward_mean);
      await engine.swapWeights(step.tensors());
    }
    return curve;
  } finally {
    await engine.release();
    await step.release();
  }
}

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-learn-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test(`GRPO raises the mean reward of a tiny policy by at least ${MARGIN} in ${STEPS} steps`, async (t) => {
  const curve = await run(STEPS, await tmp(t));
  const first = mean(curve.slice(0, 5));
  const last = mean(curve.slice(-5));
  assert.ok(first < 0.15, `a random policy should rarely emit digits; first steps average ${first}`);
  assert.ok(
    last - first >= MARGIN,
    `mean reward went from ${first.toFixed(3)} to ${last.toFixed(3)}: ${curve.map((x) => x.toFixed(2)).join(' ')}`,
  );
});

test('two runs with the same seeds give the same reward curve', async (t) => {
  const a = await run(6, await tmp(t));
  const b = await run(6, await tmp(t));
  assert.deepEqual(a, b);
});
