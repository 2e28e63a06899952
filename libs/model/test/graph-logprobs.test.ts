import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolicyScorer, ReferenceModel, sequenceLogprobs } from '../src/index.js';
import { FAMILIES, fixture, sampleIds } from './graph-helpers.js';
import { maxAbsDiff } from './helpers.js';

for (const name of FAMILIES) {
  test(`the ${name} logprob graph matches the reference logprobs and entropies at T = 1 and T = 0.7`, async (t) => {
    const p = await fixture(name);
    const ref = new ReferenceModel(p.config, p.weights);
    const scorer = await PolicyScorer.create(p.config, p.tensors);
    t.after(() => scorer.release());
    const ids = sampleIds(p);
    // Two rows of different lengths in one batch: the short one is right-padded.
    const seqs = [
      { ids, promptLength: 12 },
      { ids: ids.slice(0, 9), promptLength: 3 },
    ];
    for (const temperature of [1, 0.7]) {
      const got = await scorer.score(seqs, temperature);
      seqs.forEach((s, i) => {
        const want = sequenceLogprobs(ref, s.ids, s.promptLength, temperature);
        assert.equal(got[i]!.logprobs.length, s.ids.length - s.promptLength);
        assert.ok(maxAbsDiff(got[i]!.logprobs, want.logprobs) < 1e-4);
        assert.ok(maxAbsDiff(got[i]!.entropies, want.entropies) < 1e-4);
      });
    }
  });
}

test('a one-token completion is scored and padding does not change a row', async (t) => {
  const p = await fixture('tiny-qwen2');
  const scorer = await PolicyScorer.create(p.config, p.tensors);
  t.after(() => scorer.release());
  const ids = sampleIds(p);
  const [alone] = await scorer.score([{ ids: ids.slice(0, 6), promptLength: 5 }]);
  const [padded] = await scorer.score([
    { ids: ids.slice(0, 6), promptLength: 5 },
    { ids, promptLength: 1 },
  ]);
  assert.equal(alone!.logprobs.length, 1);
  assert.ok(Math.abs(alone!.logprobs[0]! - padded!.logprobs[0]!) < 1e-5);
});

test('bad scorer input is rejected with a code and the field', async (t) => {
  const p = await fixture('tiny-qwen2');
  const scorer = await PolicyScorer.create(p.config, p.tensors);
  t.after(() => scorer.release());
  await assert.rejects(scorer.score([{ ids: [1, 2, 3], promptLength: 3 }]), {
    code: 'GRPO_MODEL_BAD_INPUT',
    field: 'sequences[0].promptLength',
  });
  await assert.rejects(scorer.score([{ ids: [1, 2, 3], promptLength: 1 }], 0), {
    code: 'GRPO_MODEL_BAD_INPUT',
    field: 'temperature',
  });
  await assert.rejects(scorer.score([{ ids: [1, 99999, 3], promptLength: 1 }]), {
    code: 'GRPO_MODEL_BAD_INPUT',
    field: 'sequences[0].ids[1]',
  });
});
