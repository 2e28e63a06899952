import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { compileGraph } from '@grpo/graph';
import {
  buildKvGraph,
  HostKvCache,
  int64Tensor,
  type Policy,
  ReferenceModel,
  RopeTables,
  weightFeeds,
} from '../src/index.js';
import { FAMILIES, fixture, sampleIds } from './graph-helpers.js';
import { fixturesDir, maxAbsDiff } from './helpers.js';

const TOL = 1e-4;

async function kvSessions(p: Policy) {
  const prefill = await compileGraph(buildKvGraph(p.config, { past: false, logits: 'all' }));
  const decode = await compileGraph(buildKvGraph(p.config, { past: true, logits: 'all' }));
  return { prefill, decode, weights: weightFeeds(p.config, p.tensors), rope: new RopeTables(p.config) };
}

const ones = (n: number) => new Array<number>(n).fill(1);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

for (const name of FAMILIES) {
  test(`${name}: prefill then KV-cache decode gives the full-forward and reference logits`, async (t) => {
    const p = await fixture(name);
    const c = p.config;
    const V = c.vocabSize;
    const s = await kvSessions(p);
    t.after(async () => {
      await s.prefill.release();
      await s.decode.release();
    });
    const ids = sampleIds(p);
    const n = ids.length;
    const ref = new ReferenceModel(c, p.weights).forward(ids);
    const r = s.rope.tensors(range(0, n), 1, n);
    const full = await s.prefill.run({
      ...s.weights,
      input_ids: int64Tensor(ids, [1, n]),
      attention_mask: int64Tensor(ones(n), [1, n]),
      rope_cos: r.cos,
      rope_sin: r.sin,
    });
    const fullLogits = full.logits!.data as Float32Array;
    assert.ok(maxAbsDiff(fullLogits, ref) < TOL);

    // Prefill 5 tokens, decode 3 at once (a chunk), then one at a time, through the host cache.
    const n0 = 5;
    // A small starting capacity, so the buffer also grows (and unwritten slots are masked).
    const cache = new HostKvCache(c, 1, 6, n);
    const r0 = s.rope.tensors(range(0, n0), 1, n0);
    let out = await s.prefill.run({
      ...s.weights,
      input_ids: int64Tensor(ids.slice(0, n0), [1, n0]),
      attention_mask: int64Tensor(ones(n0), [1, n0]),
      rope_cos: r0.cos,
      rope_sin: r0.sin,
    });
    cache.append(out);
    let worst = maxAbsDiff(out.logits!.data as Float32Array, fullLogits.subarray(0, n0 * V));
    let at = n0;
    for (const chunk of [3, ...ones(n - n0 - 3)]) {
      const rc = s.rope.tensors(range(at, at + chunk), 1, chunk);
      out = await s.decode.run({
        ...s.weights,
        ...cache.feeds(chunk),
        input_ids: int64Tensor(ids.slice(at, at + chunk), [1, chunk]),
        rope_cos: rc.cos,
        rope_sin: rc.sin,
      });
      const got = out.logits!.data as Float32Array;
      worst = Math.max(worst, maxAbsDiff(got, fullLogits.subarray(at * V, (at + chunk) * V)));
      worst = Math.max(worst, maxAbsDiff(got, ref.subarray(at * V, (at + chunk) * V)));
      cache.append(out);
      at += chunk;
    }
    assert.equal(at, n);
    assert.ok(worst < TOL, `max |decode - full| = ${worst}`);
    assert.deepEqual(out[`kv.${c.numLayers - 1}.key`]!.dims, [1, c.numKvHeads, 1, c.headDim]);
    assert.equal(cache.filled, n);
  });

  test(`${name}: the graph reproduces the committed fixture logits`, async (t) => {
    const p = await fixture(name);
    const expected: { inputIds: number[]; logits: number[][] } = JSON.parse(
      await fs.readFile(path.join(fixturesDir, `${name}.expected.json`), 'utf8'),
    );
    const s = await kvSessions(p);
    t.after(async () => {
      await s.prefill.release();
      await s.decode.release();
    });
    const n = expected.inputIds.length;
    const r = s.rope.tensors(range(0, n), 1, n);
    const out = await s.prefill.run({
      ...s.weights,
      input_ids: int64Tensor(expected.inputIds, [1, n]),
      attention_mask: int64Tensor(ones(n), [1, n]),
      rope_cos: r.cos,
      rope_sin: r.sin,
    });
    assert.ok(maxAbsDiff(out.logits!.data as Float32Array, expected.logits.flat()) < TOL);
  });
}

test('a left-padded batch of different prompt lengths, replicated rows, decodes like each sequence alone', async (t) => {
  const p = await fixture('tiny-llama');
  const c = p.config;
  const V = c.vocabSize;
  const ref = new ReferenceModel(c, p.weights);
  const prefill = await compileGraph(buildKvGraph(c, { past: false, logits: 'last' }));
  const decode = await compileGraph(buildKvGraph(c, { past: true, logits: 'all' }));
  t.after(async () => {
    await prefill.release();
    await decode.release();
  });
  const weights = weightFeeds(c, p.tensors);
  const rope = new RopeTables(c);
  const all = sampleIds(p);
  const prompts = [all.slice(0, 9), all.slice(3, 5), all.slice(10, 16)];
  const L = 9;
  const ids: number[] = [];
  const mask: number[] = [];
  const pos: number[] = [];
  for (const pr of prompts) {
    const pad = L - pr.length;
    ids.push(...new Array<number>(pad).fill(0), ...pr);
    mask.push(...new Array<number>(pad).fill(0), ...ones(pr.length));
    pos.push(...new Array<number>(pad).fill(0), ...range(0, pr.length));
  }
  const r = rope.tensors(pos, 3, L);
  const pre = await prefill.run({
    ...weights,
    input_ids: int64Tensor(ids, [3, L]),
    attention_mask: int64Tensor(mask, [3, L]),
    rope_cos: r.cos,
    rope_sin: r.sin,
  });
  const last = pre.logits!.data as Float32Array;
  assert.deepEqual(pre.logits!.dims, [3, V]);
  prompts.forEach((pr, i) => {
    const want = ref.forward(pr).subarray((pr.length - 1) * V);
    assert.ok(maxAbsDiff(last.subarray(i * V, (i + 1) * V), want) < TOL);
  });
  // Replicate rows [2, 0, 2] (a group sharing one prefill) and decode one token each.
  const rows = [2, 0, 2];
  const next = [40, 41, 42];
  const cache = new HostKvCache(c, rows.length, L + 4);
  cache.append(pre, rows, mask);
  const rd = rope.tensors(
    rows.map((i) => prompts[i]!.length),
    3,
    1,
  );
  const out = await decode.run({
    ...weights,
    ...cache.feeds(1),
    input_ids: int64Tensor(next, [3, 1]),
    rope_cos: rd.cos,
    rope_sin: rd.sin,
  });
  const got = out.logits!.data as Float32Array;
  rows.forEach((i, b) => {
    const seq = [...prompts[i]!, next[b]!];
    const want = ref.forward(seq).subarray((seq.length - 1) * V);
    assert.ok(maxAbsDiff(got.subarray(b * V, (b + 1) * V), want) < TOL);
  });
});
