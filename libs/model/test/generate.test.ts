import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bindWeights,
  createTinyPolicy,
  generateReference,
  initTensors,
  logSoftmax,
  type ModelError,
  ReferenceModel,
  sequenceLogprobs,
  tinyConfig,
} from '../src/index.js';
import { tmpDir } from './helpers.js';

async function setup(t: import('node:test').TestContext) {
  const p = await createTinyPolicy({ dir: await tmpDir(t), seed: 2, hiddenSize: 32, initializerRange: 0.2 });
  const model = new ReferenceModel(p.config, p.weights);
  const promptIds = p.tokenizer.encodeChat([{ role: 'user', content: '1+1?' }]);
  return { p, model, promptIds };
}

test('generation is reproducible for a seed and stream', async (t) => {
  const { model, promptIds } = await setup(t);
  const run = (stream: number) =>
    generateReference(model, { promptIds, maxTokens: 12, sampling: { temperature: 1 }, seed: 5, stream });
  assert.deepEqual(run(0), run(0));
  assert.notDeepEqual(run(0).tokenIds, run(1).tokenIds);
});

test('reported logprobs equal those recomputed by a full forward at the sampling temperature', async (t) => {
  const { model, promptIds } = await setup(t);
  const T = 0.8;
  const out = generateReference(model, {
    promptIds,
    maxTokens: 10,
    sampling: { temperature: T, topP: 0.9 },
    seed: 1,
  });
  const logits = model.forward([...promptIds, ...out.tokenIds]);
  const v = model.config.vocabSize;
  out.tokenIds.forEach((tok, i) => {
    const row = logits.subarray((promptIds.length - 1 + i) * v, (promptIds.length + i) * v);
    assert.ok(Math.abs(logSoftmax(row, T)[tok] - out.logprobs[i]) < 1e-5);
  });
});

test('generation stops at maxTokens with finish reason length', async (t) => {
  const { model, promptIds } = await setup(t);
  const out = generateReference(model, { promptIds, maxTokens: 5, sampling: { temperature: 1 }, seed: 3 });
  assert.equal(out.tokenIds.length, 5);
  assert.equal(out.finishReason, 'length');
  assert.equal(out.text, null);
});

test('generation stops at an eos id and keeps it', async (t) => {
  const { model, promptIds } = await setup(t);
  const greedy = generateReference(model, { promptIds, maxTokens: 3, sampling: { temperature: 0 }, seed: 0 });
  const out = generateReference(model, {
    promptIds,
    maxTokens: 3,
    sampling: { temperature: 0 },
    seed: 0,
    eosTokenIds: [greedy.tokenIds[1]],
  });
  assert.equal(out.finishReason, 'eos');
  assert.deepEqual(out.tokenIds, greedy.tokenIds.slice(0, greedy.tokenIds.indexOf(greedy.tokenIds[1]) + 1));
});

test('generation stops at a stop string and cuts the text before it', async (t) => {
  const { p, model, promptIds } = await setup(t);
  const decode = (ids: readonly number[]) => p.tokenizer.decode(ids);
  const free = generateReference(model, {
    promptIds,
    maxTokens: 20,
    sampling: { temperature: 1 },
    seed: 9,
    decode,
  });
  const stop = (free.text ?? '').slice(4, 6);
  const out = generateReference(model, {
    promptIds,
    maxTokens: 20,
    sampling: { temperature: 1 },
    seed: 9,
    decode,
    stop: [stop],
  });
  assert.equal(out.finishReason, 'stop');
  assert.equal(out.text, (free.text ?? '').slice(0, (free.text ?? '').indexOf(stop)));
});

test('stop strings without a decode function are rejected', async (t) => {
  const { model, promptIds } = await setup(t);
  assert.throws(
    () =>
      generateReference(model, {
        promptIds,
        maxTokens: 5,
        sampling: { temperature: 1 },
        seed: 1,
        stop: ['x'],
      }),
    (e: ModelError) => e.field === 'stop',
  );
});

test('sequenceLogprobs reproduces the logprobs reported during generation', async (t) => {
  const { model, promptIds } = await setup(t);
  const out = generateReference(model, {
    promptIds,
    maxTokens: 8,
    sampling: { temperature: 0.6, topK: 20 },
    seed: 4,
  });
  const { logprobs, entropies } = sequenceLogprobs(
    model,
    [...promptIds, ...out.tokenIds],
    promptIds.length,
    0.6,
  );
  assert.equal(logprobs.length, out.tokenIds.length);
  out.logprobs.forEach((lp, i) => {
    assert.ok(Math.abs(lp - logprobs[i]) < 1e-6);
  });
  assert.ok(entropies.every((h) => h > 0 && h <= Math.log(model.config.vocabSize) + 1e-9));
});

test('a model with a zero head predicts the uniform distribution: logprob -log V, entropy log V', () => {
  const c = tinyConfig({ hiddenSize: 16, heads: 2, kvHeads: 1, layers: 1, tieWordEmbeddings: false });
  const tensors = initTensors(c, 1);
  tensors.set('lm_head.weight', {
    shape: [c.vocabSize, c.hiddenSize],
    data: new Float32Array(c.vocabSize * c.hiddenSize),
  });
  const m = new ReferenceModel(c, bindWeights(c, tensors));
  const { logprobs, entropies } = sequenceLogprobs(m, [1, 2, 3, 4], 2, 0.7);
  for (let i = 0; i < 2; i++) {
    assert.ok(Math.abs(logprobs[i] + Math.log(c.vocabSize)) < 1e-9);
    assert.ok(Math.abs(entropies[i] - Math.log(c.vocabSize)) < 1e-9);
  }
});

test('sequenceLogprobs rejects a prompt length that leaves no completion', async (t) => {
  const { model } = await setup(t);
  assert.throws(
    () => sequenceLogprobs(model, [1, 2, 3], 3),
    (e: ModelError) => e.field === 'promptLength',
  );
});
