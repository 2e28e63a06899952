import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createTinyPolicy, loadPolicy, type ModelError, ReferenceModel, savePolicy } from '../src/index.js';
import { maxAbsDiff, tmpDir } from './helpers.js';

test('createTinyPolicy writes a complete Hugging Face folder', async (t) => {
  const dir = await tmpDir(t);
  await createTinyPolicy({ dir, seed: 1 });
  assert.deepEqual((await fs.readdir(dir)).sort(), [
    'config.json',
    'generation_config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(cfg.model_type, 'qwen2');
  assert.deepEqual(cfg.architectures, ['Qwen2ForCausalLM']);
  const gen = JSON.parse(await fs.readFile(path.join(dir, 'generation_config.json'), 'utf8'));
  assert.deepEqual(gen.eos_token_id, [2, 0]);
});

test('the same seed gives byte-identical weights and another seed different ones', async (t) => {
  const a = await tmpDir(t);
  const b = await tmpDir(t);
  const c = await tmpDir(t);
  await createTinyPolicy({ dir: a, seed: 5, family: 'llama' });
  await createTinyPolicy({ dir: b, seed: 5, family: 'llama' });
  await createTinyPolicy({ dir: c, seed: 6, family: 'llama' });
  const read = (d: string) => fs.readFile(path.join(d, 'model.safetensors'));
  assert.ok((await read(a)).equals(await read(b)));
  assert.ok(!(await read(a)).equals(await read(c)));
});

test('initialisation follows HF: weights have std initializer_range, norms are 1, biases 0', async (t) => {
  const dir = await tmpDir(t);
  const p = await createTinyPolicy({ dir, seed: 3, hiddenSize: 64, initializerRange: 0.02 });
  const emb = p.weights.embedTokens;
  let s = 0;
  let ss = 0;
  for (const v of emb) {
    s += v;
    ss += v * v;
  }
  const mean = s / emb.length;
  const std = Math.sqrt(ss / emb.length - mean * mean);
  assert.ok(Math.abs(mean) < 0.001 && Math.abs(std - 0.02) < 0.001, `mean ${mean} std ${std}`);
  assert.ok(p.weights.layers[0].inputNorm.every((v) => v === 1));
  assert.ok(p.weights.layers[0].qBias?.every((v) => v === 0));
});

for (const family of ['llama', 'qwen2', 'qwen3'] as const) {
  test(`a tiny ${family} policy round-trips through sharded safetensors with identical logits`, async (t) => {
    const a = await tmpDir(t);
    const b = await tmpDir(t);
    const p = await createTinyPolicy({
      dir: a,
      seed: 9,
      family: 'qwen2',
      randomizeNormsAndBiases: true,
      initializerRange: 0.1,
    });
    await savePolicy(b, { config: p.config, tensors: p.tensors }, { maxShardBytes: 20_000 });
    await fs.copyFile(path.join(a, 'tokenizer.json'), path.join(b, 'tokenizer.json'));
    const q = await loadPolicy(b);
    assert.ok((await fs.readdir(b)).includes('model.safetensors.index.json'));
    const ids = p.tokenizer.encode('<|im_start|>user\n3*4?<|im_end|>');
    const la = new ReferenceModel(p.config, p.weights).forward(ids);
    const lb = new ReferenceModel(q.config, q.weights).forward(ids);
    assert.deepEqual(la, lb);
  });
}

test('a BF16 checkpoint loads converted to fp32 with logits close to the fp32 ones', async (t) => {
  const a = await tmpDir(t);
  const b = await tmpDir(t);
  const p = await createTinyPolicy({ dir: a, seed: 4, family: 'llama', initializerRange: 0.1 });
  const q = await createTinyPolicy({
    dir: b,
    seed: 4,
    family: 'llama',
    initializerRange: 0.1,
    dtype: 'BF16',
  });
  assert.equal(q.config.torchDtype, 'bfloat16');
  assert.equal(
    (await fs.stat(path.join(b, 'model.safetensors'))).size <
      (await fs.stat(path.join(a, 'model.safetensors'))).size * 0.6,
    true,
  );
  const ids = [1, 300, 301, 302, 2];
  const diff = maxAbsDiff(
    new ReferenceModel(p.config, p.weights).forward(ids),
    new ReferenceModel(q.config, q.weights).forward(ids),
  );
  assert.ok(diff > 0 && diff < 0.05, `diff ${diff}`);
});

test('extra characters enlarge the vocabulary and the embedding', async (t) => {
  const dir = await tmpDir(t);
  const p = await createTinyPolicy({ dir, seed: 1, extraChars: '加减乘除等于' });
  assert.equal(p.config.vocabSize, 366);
  assert.equal(p.weights.embedTokens.length, 366 * 64);
  assert.equal(p.tokenizer.encode('加').length, 1);
});

test('a config.json with a wrong vocab size for the checkpoint is rejected naming the tensor', async (t) => {
  const dir = await tmpDir(t);
  await createTinyPolicy({ dir, seed: 1 });
  const cfgPath = path.join(dir, 'config.json');
  const cfg = JSON.parse(await fs.readFile(cfgPath, 'utf8'));
  cfg.vocab_size = 400;
  await fs.writeFile(cfgPath, JSON.stringify(cfg));
  await assert.rejects(
    loadPolicy(dir),
    (e: ModelError) => e.code === 'GRPO_MODEL_BAD_SHAPE' && e.field === 'model.embed_tokens.weight',
  );
});

test('a fractional seed is rejected naming the field', async (t) => {
  const dir = await tmpDir(t);
  await assert.rejects(createTinyPolicy({ dir, seed: 1.5 }), (e: ModelError) => e.field === 'seed');
});
