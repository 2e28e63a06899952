import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { compileGraph, Graph, Rng, type Sym } from '@grpo/graph';
import { tensor } from '@grpo/onnx';
import {
  completionMask,
  criticWeights,
  defineValueForward,
  initCriticTensors,
  loadCritic,
  lossMaskInput,
  packSequences,
  ReferenceModel,
  RopeTables,
  saveCritic,
  savePolicy,
  VALUE_HEAD,
  ValueModel,
} from '../src/index.js';
import { FAMILIES, fixture, sampleIds } from './graph-helpers.js';
import { tmpDir } from './helpers.js';

/**
 * The critic's regression loss, 0.5 * token-mean (V - R)^2 over the mask (libs/grpo's value
 * loss, clipping aside, which libs/grpo tests on its own), and its float64 reference.
 */
function valueLoss(g: Graph, values: Sym, mask: Sym): Sym {
  const ret = g.input('returns', 'float32', values.shape);
  const d = g.mul(g.sub(values, ret), mask);
  return g.div(g.mul(g.sum(g.square(d)), 0.5), g.maximum(g.sum(mask), 1));
}
function valueLossRef(seqs: { values: number[]; returns: number[] }[]): number {
  let s = 0;
  let n = 0;
  for (const q of seqs)
    q.values.forEach((v, t) => {
      s += 0.5 * (v - q.returns[t]!) ** 2;
      n++;
    });
  return s / Math.max(n, 1);
}

/** Critic tensors with a random value head, so values and gradients are not trivially 0. */
async function critic(name: string, seed = 1) {
  const p = await fixture(name);
  const t = initCriticTensors(p.config, p.tensors);
  const rng = new Rng(seed);
  const w = t.get(VALUE_HEAD.weight)!.data as Float32Array;
  for (let i = 0; i < w.length; i++) w[i] = (rng.uniform() - 0.5) * 0.5;
  (t.get(VALUE_HEAD.bias)!.data as Float32Array)[0] = 0.3;
  return { p, t };
}

function seqsOf(ids: number[]) {
  return [
    { ids, promptLength: 20 },
    { ids: ids.slice(0, 12), promptLength: 4 },
  ];
}

test('the critic values equal the reference model hidden state times the value head, for every family', async (t) => {
  for (const name of FAMILIES) {
    const { p, t: tensors } = await critic(name);
    const vm = await ValueModel.create({ config: p.config, tensors, loss: (g, f) => g.sum(f.values) });
    t.after(() => vm.release());
    const seqs = seqsOf(sampleIds(p));
    const got = await vm.values(seqs);
    const ref = new ReferenceModel(p.config, p.weights);
    const w = tensors.get(VALUE_HEAD.weight)!.data as Float32Array;
    const h = p.config.hiddenSize;
    seqs.forEach((s, b) => {
      const hid = ref.hidden(s.ids);
      assert.equal(got[b]!.length, s.ids.length - s.promptLength);
      got[b]!.forEach((v, j) => {
        const pos = s.promptLength - 1 + j;
        let want = 0.3;
        for (let i = 0; i < h; i++) want += hid[pos * h + i]! * w[i]!;
        assert.ok(Math.abs(v - want) < 1e-4, `${name} row ${b} pos ${j}: ${v} vs ${want}`);
      });
    });
  }
});

test('value-loss gradients of the head and final norm match finite differences of a float64 reference (1e-5)', async () => {
  const { p, t: tensors } = await critic('tiny-qwen2', 2);
  const c = p.config;
  const h = c.hiddenSize;
  const seqs = seqsOf(sampleIds(p));
  const g = new Graph();
  const f = defineValueForward(g, c, criticWeights(g));
  const loss = valueLoss(g, f.values, lossMaskInput(g));
  const wrt = [VALUE_HEAD.weight, VALUE_HEAD.bias, 'model.norm.weight'].map(
    (n) => g.params.find((q) => q.sym.name === n)!.sym,
  );
  g.output('loss', loss);
  for (const [i, d] of g.grad(loss, wrt).entries()) g.output(`d${i}`, d);
  const session = await compileGraph(g, { intraOpNumThreads: 1 });
  const packed = packSequences(c, new RopeTables(c), seqs, 1);
  const T = packed.seqLen;
  const rng = new Rng(5);
  const ret = new Float32Array(2 * T);
  for (let i = 0; i < ret.length; i++) ret[i] = rng.uniform() < 0.5 ? 1 : 0;
  const feeds: Record<string, ReturnType<typeof tensor>> = {
    ...packed.feeds,
    loss_mask: completionMask(seqs, packed),
    returns: tensor('float32', ret, [2, T]),
  };
  for (const [k, v] of tensors) feeds[k] = tensor('float32', v.data as Float32Array, v.shape);
  const inputs = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!]));
  const out = await session.run(inputs);

  // Float64 reference: v = sum_i w_i * g_i * xhat_i + b, xhat the normalised state (hidden / g).
  const ref = new ReferenceModel(c, p.weights);
  const gNorm = Float64Array.from(p.tensors.get('model.norm.weight')!.data as Float32Array);
  const xhat = seqs.map((s) => Array.from(ref.hidden(s.ids), (x, k) => x / gNorm[k % h]!));
  const w0 = Float64Array.from(tensors.get(VALUE_HEAD.weight)!.data as Float32Array);
  const refLoss = (w: Float64Array, b: number, gn: Float64Array) =>
    valueLossRef(
      seqs.map((s, r) => {
        const n = s.ids.length - s.promptLength;
        const idx = Array.from({ length: n }, (_, j) => s.promptLength - 1 + j);
        return {
          values: idx.map((pos) => {
            let v = b;
            for (let i = 0; i < h; i++) v += w[i]! * gn[i]! * xhat[r]![pos * h + i]!;
            return v;
          }),
          returns: idx.map((pos) => ret[r * T + pos]!),
        };
      }),
    );
  const lossRef = refLoss(w0, 0.3, gNorm);
  assert.ok(Math.abs(Number(out.loss!.data[0]) - lossRef) < 1e-5, `loss ${out.loss!.data[0]} vs ${lossRef}`);
  const eps = 1e-6;
  const check = (name: string, got: Float32Array, fd: (i: number) => number) => {
    for (let i = 0; i < got.length; i++) {
      const want = fd(i);
      assert.ok(
        Math.abs(got[i]! - want) <= 1e-5 + 1e-4 * Math.abs(want),
        `${name}[${i}]: ${got[i]} vs fd ${want}`,
      );
    }
  };
  check('score.weight', out.d0!.data as Float32Array, (i) => {
    const a = w0.slice();
    const b = w0.slice();
    a[i]! += eps;
    b[i]! -= eps;
    return (refLoss(a, 0.3, gNorm) - refLoss(b, 0.3, gNorm)) / (2 * eps);
  });
  check(
    'score.bias',
    out.d1!.data as Float32Array,
    () => (refLoss(w0, 0.3 + eps, gNorm) - refLoss(w0, 0.3 - eps, gNorm)) / (2 * eps),
  );
  check('model.norm.weight', out.d2!.data as Float32Array, (i) => {
    const a = gNorm.slice();
    const b = gNorm.slice();
    a[i]! += eps;
    b[i]! -= eps;
    return (refLoss(w0, 0.3, a) - refLoss(w0, 0.3, b)) / (2 * eps);
  });
  await session.release();
});

test('training on fixed returns lowers the value loss; weights and optimizer state round-trip through a saved folder', async (t) => {
  const dir = await tmpDir(t);
  const p = await fixture('tiny-llama');
  const seqs = seqsOf(sampleIds(p));
  const build = (g: Graph, f: ReturnType<typeof defineValueForward>) =>
    valueLoss(g, f.values, lossMaskInput(g));
  const vm = await ValueModel.create({ config: p.config, tensors: p.tensors, loss: build });
  t.after(() => vm.release());
  // A policy folder gives a zero head: every initial value is 0.
  assert.ok((await vm.values(seqs)).every((v) => v.every((x) => x === 0)));
  const T = Math.max(...seqs.map((s) => s.ids.length)) - 1;
  const ret = new Float32Array(2 * T).fill(1);
  const feeds = { returns: tensor('float32', ret, [2, T]) };
  const losses: number[] = [];
  for (let i = 0; i < 8; i++) losses.push((await vm.step({ sequences: seqs, feeds }, 1e-2)).loss);
  assert.ok(losses[7]! < losses[0]! * 0.5, `value loss ${losses[0]} -> ${losses[7]}`);

  await saveCritic(dir, p.config, vm.tensors());
  const cfg = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.architectures, ['LlamaForTokenClassification']);
  assert.equal(cfg.num_labels, 1);
  const loaded = await loadCritic(dir, p.config);
  assert.ok(!loaded.tensors.has('lm_head.weight'));
  for (const [k, v] of vm.tensors()) assert.deepEqual(loaded.tensors.get(k)!.data, v.data, k);
  const vm2 = await ValueModel.create({ config: loaded.config, tensors: loaded.tensors, loss: build });
  t.after(() => vm2.release());
  vm2.loadOptimizerState(vm.optimizerState());
  assert.equal(vm2.stepCount, 8);
  assert.deepEqual(await vm2.values(seqs), await vm.values(seqs));
  // The next step is identical on both: same weights, same moments, same step counter.
  const a = await vm.step({ sequences: seqs, feeds }, 1e-2);
  const b = await vm2.step({ sequences: seqs, feeds }, 1e-2);
  assert.equal(a.loss, b.loss);
  assert.deepEqual(vm.tensors().get(VALUE_HEAD.weight)!.data, vm2.tensors().get(VALUE_HEAD.weight)!.data);
});

test('a critic folder whose vocabulary differs from the policy is refused; a missing one names config.json', async (t) => {
  const dir = await tmpDir(t);
  const p = await fixture('tiny-qwen3');
  await savePolicy(dir, { config: p.config, tensors: p.tensors });
  const file = path.join(dir, 'config.json');
  const cfg = JSON.parse(await fs.readFile(file, 'utf8'));
  await fs.writeFile(file, JSON.stringify({ ...cfg, vocab_size: cfg.vocab_size + 1 }));
  await assert.rejects(loadCritic(dir, p.config), /vocab_size/);
  await assert.rejects(loadCritic(path.join(dir, 'missing'), p.config), /config\.json/);
});
