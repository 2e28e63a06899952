import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyRope,
  bindWeights,
  initTensors,
  kvHeadFor,
  type ModelConfig,
  type ModelError,
  ReferenceModel,
  rmsNorm,
  ropeAngles,
  ropeInvFreq,
  type TensorMap,
  tinyConfig,
} from '../src/index.js';
import { maxAbsDiff } from './helpers.js';

function model(config: ModelConfig, tensors: TensorMap): ReferenceModel {
  return new ReferenceModel(config, bindWeights(config, tensors));
}

const prompt = [1, 300, 301, 302, 280, 290, 2, 1, 333, 334, 335, 336];

test('RoPE rotates dimension i with i + headDim/2 by position * theta^(-2i/d)', () => {
  const inv = ropeInvFreq({ headDim: 4, ropeTheta: 10000, ropeScaling: null });
  assert.deepEqual([...inv], [1, Math.fround(0.01)]);
  const x = new Float32Array([1, 2, 3, 4]);
  const { cos, sin } = ropeAngles(inv, 1);
  applyRope(x, 0, 4, cos, sin);
  const c1 = Math.cos(1);
  const s1 = Math.sin(1);
  const c2 = Math.cos(0.01);
  const s2 = Math.sin(0.01);
  const want = [1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2];
  assert.ok(maxAbsDiff(x, want) < 1e-6, `${[...x]} vs ${want}`);
});

test('RoPE at position 0 is the identity', () => {
  const inv = ropeInvFreq({ headDim: 8, ropeTheta: 10000, ropeScaling: null });
  const x = new Float32Array([1, -2, 3, -4, 5, -6, 7, -8]);
  const { cos, sin } = ropeAngles(inv, 0);
  applyRope(x, 0, 8, cos, sin);
  assert.deepEqual([...x], [1, -2, 3, -4, 5, -6, 7, -8]);
});

test('linear rope scaling divides every frequency by the factor', () => {
  const base = ropeInvFreq({ headDim: 8, ropeTheta: 10000, ropeScaling: null });
  const lin = ropeInvFreq({ headDim: 8, ropeTheta: 10000, ropeScaling: { type: 'linear', factor: 4 } });
  for (let i = 0; i < 4; i++) assert.equal(lin[i], Math.fround(base[i] / 4));
});

test('llama3 rope scaling keeps high, divides low and interpolates medium frequencies', () => {
  const s = {
    type: 'llama3' as const,
    factor: 8,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositionEmbeddings: 8192,
  };
  const base = ropeInvFreq({ headDim: 128, ropeTheta: 500000, ropeScaling: null });
  const l3 = ropeInvFreq({ headDim: 128, ropeTheta: 500000, ropeScaling: s });
  let sawMedium = false;
  for (let i = 0; i < 64; i++) {
    const wavelen = (2 * Math.PI) / base[i];
    if (wavelen < 8192 / 4) assert.equal(l3[i], base[i]);
    else if (wavelen > 8192 / 1) assert.equal(l3[i], Math.fround(base[i] / 8));
    else {
      sawMedium = true;
      const smooth = (8192 / wavelen - 1) / (4 - 1);
      assert.ok(Math.abs(l3[i] - (((1 - smooth) * base[i]) / 8 + smooth * base[i])) < 1e-7 * base[i] + 1e-12);
      assert.ok(l3[i] < base[i] && l3[i] > base[i] / 8);
    }
  }
  assert.ok(sawMedium);
});

test('RMSNorm divides by the root mean square and scales by the weight', () => {
  const out = new Float32Array(4);
  rmsNorm(new Float32Array([1, 2, 3, 4]), 0, 4, new Float32Array([1, 1, 1, 2]), 0, out, 0);
  const r = Math.sqrt(30 / 4);
  assert.ok(maxAbsDiff(out, [1 / r, 2 / r, 3 / r, 8 / r]) < 1e-6);
});

test('GQA maps query head h to kv head floor(h / (heads / kvHeads))', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((h) => kvHeadFor(h, 8, 2)),
    [0, 0, 0, 0, 1, 1, 1, 1],
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((h) => kvHeadFor(h, 4, 4)),
    [0, 1, 2, 3],
  );
  assert.deepEqual(
    [0, 1, 2].map((h) => kvHeadFor(h, 3, 1)),
    [0, 0, 0],
  );
});

test('a GQA model equals the MHA model whose k/v heads are repeated per group', () => {
  const gqa = tinyConfig({
    family: 'llama',
    hiddenSize: 32,
    heads: 4,
    kvHeads: 2,
    layers: 2,
    initializerRange: 0.1,
  });
  const mha = { ...gqa, numKvHeads: 4 } as ModelConfig;
  const t = initTensors(gqa, 7, true);
  const t2: TensorMap = new Map(t);
  const hd = gqa.headDim;
  for (let l = 0; l < gqa.numLayers; l++) {
    for (const p of ['k_proj', 'v_proj']) {
      const name = `model.layers.${l}.self_attn.${p}.weight`;
      const w = t.get(name)?.data as Float32Array;
      const rep = new Float32Array(4 * hd * gqa.hiddenSize);
      for (let h = 0; h < 4; h++)
        rep.set(
          w.subarray(
            kvHeadFor(h, 4, 2) * hd * gqa.hiddenSize,
            (kvHeadFor(h, 4, 2) + 1) * hd * gqa.hiddenSize,
          ),
          h * hd * gqa.hiddenSize,
        );
      t2.set(name, { shape: [4 * hd, gqa.hiddenSize], data: rep });
    }
  }
  const a = model(gqa, t).forward(prompt);
  const b = model(mha, t2).forward(prompt);
  assert.ok(maxAbsDiff(a, b) < 1e-6);
});

test('a tied head gives the same logits as an untied head holding a copy of the embeddings', () => {
  const tied = tinyConfig({
    family: 'qwen2',
    hiddenSize: 32,
    layers: 1,
    tieWordEmbeddings: true,
    initializerRange: 0.1,
  });
  const untied = { ...tied, tieWordEmbeddings: false } as ModelConfig;
  const t = initTensors(tied, 3, true);
  const t2: TensorMap = new Map(t);
  const emb = t.get('model.embed_tokens.weight');
  assert.ok(emb);
  t2.set('lm_head.weight', { shape: emb.shape, data: Float32Array.from(emb.data as Float32Array) });
  assert.ok(maxAbsDiff(model(tied, t).forward(prompt), model(untied, t2).forward(prompt)) < 1e-7);
});

for (const family of ['llama', 'qwen2', 'qwen3'] as const) {
  test(`KV-cache decode gives the logits of the full forward (${family})`, () => {
    const c = tinyConfig({
      family,
      hiddenSize: 32,
      heads: 4,
      kvHeads: 2,
      layers: 2,
      initializerRange: 0.1,
      tieWordEmbeddings: family !== 'llama',
      ropeScaling:
        family === 'llama'
          ? {
              type: 'llama3',
              factor: 8,
              lowFreqFactor: 1,
              highFreqFactor: 4,
              originalMaxPositionEmbeddings: 16,
            }
          : null,
    });
    const m = model(c, initTensors(c, 11, true));
    const full = m.forward(prompt);
    const cache = m.createCache(64);
    const parts: Float32Array[] = [m.step(cache, prompt.slice(0, 5))];
    for (let i = 5; i < prompt.length; i++) parts.push(m.step(cache, [prompt[i]]));
    const inc = new Float32Array(full.length);
    let off = 0;
    for (const p of parts) {
      inc.set(p, off);
      off += p.length;
    }
    assert.equal(cache.length, prompt.length);
    assert.ok(maxAbsDiff(full, inc) < 1e-5, `max diff ${maxAbsDiff(full, inc)}`);
  });
}

test('logits at a position do not depend on later tokens (causal mask)', () => {
  const c = tinyConfig({ family: 'qwen2', hiddenSize: 32, layers: 2, initializerRange: 0.1 });
  const m = model(c, initTensors(c, 5, true));
  const a = m.forward([10, 20, 30, 40]);
  const b = m.forward([10, 20, 30, 99]);
  const v = c.vocabSize;
  assert.deepEqual(a.subarray(0, 3 * v), b.subarray(0, 3 * v));
  assert.notDeepEqual(a.subarray(3 * v), b.subarray(3 * v));
});

test('a single token attends only to itself, so its output ignores the query and key weights', () => {
  const c = tinyConfig({ family: 'llama', hiddenSize: 32, layers: 1, initializerRange: 0.1 });
  const t = initTensors(c, 9, true);
  const t2: TensorMap = new Map(t);
  for (const p of ['q_proj', 'k_proj']) {
    const name = `model.layers.0.self_attn.${p}.weight`;
    t2.set(name, {
      shape: t.get(name)?.shape as number[],
      data: new Float32Array((t.get(name)?.data as Float32Array).length).fill(0.3),
    });
  }
  assert.ok(maxAbsDiff(model(c, t).forward([42]), model(c, t2).forward([42])) < 1e-7);
});

test('Qwen3 q/k norms change the logits (they are applied)', () => {
  const c = tinyConfig({ family: 'qwen3', hiddenSize: 32, layers: 1, initializerRange: 0.1 });
  const t = initTensors(c, 4, true);
  const t2: TensorMap = new Map(t);
  t2.set('model.layers.0.self_attn.q_norm.weight', {
    shape: [c.headDim],
    data: new Float32Array(c.headDim).fill(2),
  });
  assert.ok(maxAbsDiff(model(c, t).forward([5, 6, 7]), model(c, t2).forward([5, 6, 7])) > 1e-4);
});

test('token ids outside the vocabulary are rejected naming the position', () => {
  const c = tinyConfig({ hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1 });
  const m = model(c, initTensors(c, 1));
  assert.throws(
    () => m.forward([1, c.vocabSize]),
    (e: ModelError) => e.field === 'tokenIds[1]',
  );
});

test('a sequence past the cache capacity is rejected', () => {
  const c = tinyConfig({ hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1, maxPositionEmbeddings: 4 });
  const m = model(c, initTensors(c, 1));
  assert.throws(() => m.forward([1, 2, 3, 4, 5]), /exceeds the cache capacity 4/);
});

test('a checkpoint missing a parameter is rejected naming it', () => {
  const c = tinyConfig({ hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1 });
  const t = initTensors(c, 1);
  t.delete('model.layers.0.self_attn.k_proj.bias');
  assert.throws(
    () => bindWeights(c, t),
    (e: ModelError) =>
      e.code === 'GRPO_MODEL_MISSING_TENSOR' && e.field === 'model.layers.0.self_attn.k_proj.bias',
  );
});

test('a parameter of the wrong shape is rejected naming it', () => {
  const c = tinyConfig({ hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1 });
  const t = initTensors(c, 1);
  t.set('model.norm.weight', { shape: [8], data: new Float32Array(8) });
  assert.throws(
    () => bindWeights(c, t),
    (e: ModelError) => e.code === 'GRPO_MODEL_BAD_SHAPE' && e.field === 'model.norm.weight',
  );
});
