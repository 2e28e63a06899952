import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import {
  createTinyPolicy,
  loadPolicy,
  PolicyEngine,
  PolicyScorer,
  PolicyTrainer,
  savePolicy,
  sftLoss,
} from '../src/index.js';
import { fixture, sampleIds } from './graph-helpers.js';
import { tmpDir } from './helpers.js';

test("one SFT step's loss equals the logprob graph's mean NLL over completion tokens", async (t) => {
  const p = await fixture('tiny-qwen3');
  const trainer = await PolicyTrainer.create({ config: p.config, tensors: p.tensors, loss: sftLoss });
  const scorer = await PolicyScorer.create(p.config, p.tensors);
  t.after(async () => {
    await trainer.release();
    await scorer.release();
  });
  const ids = sampleIds(p);
  const seqs = [
    { ids, promptLength: 20 },
    { ids: ids.slice(0, 12), promptLength: 4 },
  ];
  const scored = await scorer.score(seqs, 0.9);
  let sum = 0;
  let n = 0;
  for (const s of scored) {
    for (const lp of s.logprobs) sum -= lp;
    n += s.logprobs.length;
  }
  const { loss, gradNorm } = await trainer.step({ sequences: seqs, temperature: 0.9 }, 1e-3);
  assert.ok(Math.abs(loss - sum / n) < 1e-5, `loss ${loss} vs mean NLL ${sum / n}`);
  assert.ok(gradNorm > 0 && Number.isFinite(gradNorm));
  assert.equal(trainer.stepCount, 1);
});

test('SFT memorises a short answer, and the trained weights round-trip through safetensors into the engine', async (t) => {
  const dir = await tmpDir(t);
  const p = await createTinyPolicy({
    dir: `${dir}/init`,
    seed: 5,
    family: 'llama',
    hiddenSize: 32,
    layers: 2,
  });
  const trainer = await PolicyTrainer.create({ config: p.config, tensors: p.tensors, loss: sftLoss });
  t.after(() => trainer.release());
  const prompt = p.tokenizer.encode('Q: 12+7?\nA:');
  const answer = [...p.tokenizer.encode(' 19.'), p.config.eosTokenIds[0]!];
  const batch = { sequences: [{ ids: [...prompt, ...answer], promptLength: prompt.length }] };
  const first = await trainer.evaluate(batch);
  let last = first;
  for (let i = 0; i < 60; i++) last = (await trainer.step(batch, 1e-2)).loss;
  assert.ok(first > 4, `initial loss ${first} is near log(vocab)`);
  assert.ok(last < 0.05, `loss after 60 steps is ${last}`);

  await savePolicy(`${dir}/trained`, { config: p.config, tensors: trainer.tensors() });
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    await fs.copyFile(`${dir}/init/${f}`, `${dir}/trained/${f}`);
  const loaded = await loadPolicy(`${dir}/trained`);
  const engine = await PolicyEngine.create(loaded);
  t.after(() => engine.release());
  const out = await engine.generate({ prompts: [prompt], maxTokens: 8, temperature: 0 });
  const comp = out.completions[0]![0]!;
  assert.deepEqual(comp.tokenIds, answer);
  assert.equal(comp.text, ' 19.');
  assert.equal(comp.finishReason, 'stop');
});

test('two micro-batches of equal token counts take the same step as their union', async (t) => {
  const p = await fixture('tiny-qwen2');
  const ids = sampleIds(p);
  const a = { ids: ids.slice(0, 14), promptLength: 6 };
  const b = { ids: ids.slice(3, 17), promptLength: 6 };
  const whole = await PolicyTrainer.create({ config: p.config, tensors: p.tensors, loss: sftLoss });
  const split = await PolicyTrainer.create({ config: p.config, tensors: p.tensors, loss: sftLoss });
  t.after(async () => {
    await whole.release();
    await split.release();
  });
  const r1 = await whole.step({ sequences: [a, b] }, 1e-2);
  const r2 = await split.step([{ sequences: [a] }, { sequences: [b] }], 1e-2);
  assert.ok(Math.abs(r1.loss - r2.loss) < 1e-5);
  assert.ok(Math.abs(r1.gradNorm - r2.gradNorm) < 1e-4 * r1.gradNorm);
  const w1 = whole.tensors().get('model.layers.0.self_attn.q_proj.weight')!.data as Float32Array;
  const w2 = split.tensors().get('model.layers.0.self_attn.q_proj.weight')!.data as Float32Array;
  let d = 0;
  for (let i = 0; i < w1.length; i++) d = Math.max(d, Math.abs(w1[i]! - w2[i]!));
  assert.ok(d < 1e-5, `max |w_union - w_micro| = ${d}`);
});
