import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createTinyPolicy } from '@grpo/model';
import { createAlgorithmStepper, type StepperResult } from '../src/algorithm/index.js';
import type { Group } from '../src/run/step.js';

test('the run loop factory builds a preset with overrides and steps on its groups', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grpo-stepper-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const p = await createTinyPolicy({ dir, seed: 2, hiddenSize: 32, layers: 1, heads: 2, kvHeads: 1 });
  const stepper = await createAlgorithmStepper({
    config: p.config,
    tensors: p.tensors,
    reference: p.tensors,
    algorithm: { name: 'dr_grpo', overrides: { loss: { normLength: 16 } } },
  });
  t.after(() => stepper.release());
  const prompt = p.tokenizer.encode('Q');
  const groups: Group[] = [
    {
      samples: [
        { promptIds: prompt, completionIds: [40, 41], logprobs: [-5.9, -5.9], reward: 1 },
        { promptIds: prompt, completionIds: [42], logprobs: [-5.9], reward: 0 },
      ],
    },
  ];
  const r = (await stepper.step(groups, 1e-3, 1)) as StepperResult;
  assert.equal(r.kl, null, 'dr_grpo has no KL');
  assert.equal(r.tokens, 2 * prompt.length + 3);
  assert.equal(r.metrics.updates, 1);
  assert.equal(r.metrics.reward_mean, 0.5);
  assert.ok(Number.isFinite(r.loss) && r.gradNorm > 0);
  assert.equal(stepper.optimizerState().stepCount, 1);
  await assert.rejects(
    createAlgorithmStepper({
      config: p.config,
      tensors: p.tensors,
      reference: p.tensors,
      algorithm: { name: 'ppo2' },
    }),
    /preset/,
  );
});
