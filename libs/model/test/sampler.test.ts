import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  candidateSet,
  createRng,
  findStop,
  isEos,
  logSoftmax,
  type ModelError,
  sampleToken,
  stopHoldback,
} from '../src/index.js';

const logits = new Float32Array([2, 1, 0.5, 3, -1]);

/** Plain reference: softmax(logits / T) computed directly. */
function softmax(x: ArrayLike<number>, t: number): number[] {
  const e = Array.from(x, (v) => Math.exp(v / t));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

test('temperature 0 is greedy and reports the logprob under T = 1', () => {
  const r = sampleToken(logits, { temperature: 0 }, createRng(1));
  assert.equal(r.tokenId, 3);
  assert.ok(Math.abs(r.logprob - Math.log(softmax(logits, 1)[3])) < 1e-12);
});

test('greedy ties go to the lowest id', () => {
  assert.equal(sampleToken([1, 5, 5, 0], { temperature: 0 }, createRng(1)).tokenId, 1);
});

test('the reported logprob is that of the temperature-scaled, unfiltered distribution', () => {
  const rng = createRng(42);
  for (let i = 0; i < 20; i++) {
    const r = sampleToken(logits, { temperature: 0.7, topK: 2, topP: 0.9 }, rng);
    assert.ok(Math.abs(r.logprob - Math.log(softmax(logits, 0.7)[r.tokenId])) < 1e-12);
  }
});

test('top-k keeps exactly the k most likely tokens', () => {
  const { ids } = candidateSet(logits, { temperature: 1, topK: 2 });
  assert.deepEqual(ids, [3, 0]);
});

test('sampled tokens always come from the top-k set', () => {
  const rng = createRng(5);
  for (let i = 0; i < 200; i++)
    assert.ok([3, 0].includes(sampleToken(logits, { temperature: 5, topK: 2 }, rng).tokenId));
});

test('top-k selection over a large vocabulary matches a full sort', () => {
  const rng = createRng(77);
  const big = Float32Array.from({ length: 5000 }, () => Math.round(rng.normal() * 4) / 4);
  const ids = candidateSet(big, { temperature: 1, topK: 50 }).ids;
  const sorted = Array.from({ length: big.length }, (_, i) => i).sort((a, b) => big[b] - big[a] || a - b);
  assert.deepEqual(ids, sorted.slice(0, 50));
});

test('top-p keeps the smallest prefix whose mass reaches p', () => {
  const p = softmax(logits, 1); // sorted: 3, 0, 1, 2, 4
  const p30 = p[3] + p[0];
  assert.deepEqual(candidateSet(logits, { temperature: 1, topP: p[3] - 1e-9 }).ids, [3]);
  assert.deepEqual(candidateSet(logits, { temperature: 1, topP: p30 - 1e-9 }).ids, [3, 0]);
  assert.deepEqual(candidateSet(logits, { temperature: 1, topP: p30 + 1e-9 }).ids, [3, 0, 1]);
  assert.equal(candidateSet(logits, { temperature: 1, topP: 1 }).ids.length, 5);
});

test('top-p over a large peaked vocabulary matches the full-sort nucleus', () => {
  const rng = createRng(31);
  const big = Float32Array.from({ length: 20000 }, () => rng.normal() * 3);
  const lp = logSoftmax(big, 0.8);
  const sorted = Array.from({ length: big.length }, (_, i) => i).sort((a, b) => lp[b] - lp[a] || a - b);
  let cum = 0;
  let n = 0;
  while (cum < 0.9) cum += Math.exp(lp[sorted[n++]]);
  assert.deepEqual(candidateSet(big, { temperature: 0.8, topP: 0.9 }).ids, sorted.slice(0, n));
});

test('top-p applies to the distribution renormalised after top-k', () => {
  // After top-k 2 the two candidates have mass q3 = p3 / (p3 + p0); p just above q3 needs both.
  const p = softmax(logits, 1);
  const q3 = p[3] / (p[3] + p[0]);
  assert.deepEqual(candidateSet(logits, { temperature: 1, topK: 2, topP: q3 + 1e-9 }).ids, [3, 0]);
  assert.deepEqual(candidateSet(logits, { temperature: 1, topK: 2, topP: q3 - 1e-9 }).ids, [3]);
});

test('sampling frequencies match softmax(logits / T) within 3 sigma', () => {
  const rng = createRng(123);
  const n = 20000;
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1.3 }, rng).tokenId]++;
  const p = softmax(logits, 1.3);
  for (let i = 0; i < 5; i++) {
    const sigma = Math.sqrt(n * p[i] * (1 - p[i]));
    assert.ok(Math.abs(counts[i] - n * p[i]) < 3 * sigma + 1, `token ${i}: ${counts[i]} vs ${n * p[i]}`);
  }
});

test('the same seed and stream give the same tokens; another stream differs', () => {
  const draw = (seed: number, stream: number) => {
    const rng = createRng(seed, stream);
    return Array.from({ length: 50 }, () => sampleToken(logits, { temperature: 2 }, rng).tokenId);
  };
  assert.deepEqual(draw(7, 0), draw(7, 0));
  assert.notDeepEqual(draw(7, 0), draw(7, 1));
  assert.notDeepEqual(draw(7, 0), draw(8, 0));
});

test('the generator yields uniform floats in [0, 1)', () => {
  const rng = createRng(99);
  let sum = 0;
  let min = 1;
  let max = 0;
  for (let i = 0; i < 10000; i++) {
    const u = rng.next();
    sum += u;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  assert.ok(min >= 0 && max < 1);
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.01);
});

test('out-of-range sampling parameters are rejected naming the field', () => {
  const rng = createRng(1);
  assert.throws(
    () => sampleToken(logits, { temperature: -1 }, rng),
    (e: ModelError) => e.field === 'temperature',
  );
  assert.throws(
    () => sampleToken(logits, { temperature: 1, topP: 0 }, rng),
    (e: ModelError) => e.field === 'topP',
  );
  assert.throws(
    () => sampleToken(logits, { temperature: 1, topK: 1.5 }, rng),
    (e: ModelError) => e.field === 'topK',
  );
});

test('masked tokens (-Infinity logits) are never sampled and NaN rows are rejected', () => {
  const rng = createRng(8);
  const masked = [0, Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < 100; i++)
    assert.ok([0, 2].includes(sampleToken(masked, { temperature: 1 }, rng).tokenId));
  assert.throws(
    () => sampleToken([0, Number.NaN], { temperature: 1 }, rng),
    (e: ModelError) => e.field === 'logits[1]',
  );
  assert.throws(() => sampleToken([Number.NEGATIVE_INFINITY], { temperature: 1 }, rng), /all tokens masked/);
});

test('logSoftmax is stable for large logits', () => {
  const lp = logSoftmax([1000, 1000], 1);
  assert.ok(Math.abs(lp[0] - Math.log(0.5)) < 1e-12);
});

test('findStop returns the earliest stop string, including one straddling the new text', () => {
  assert.deepEqual(findStop('abc</answer>def', ['</answer>', 'def']), { index: 3, stop: '</answer>' });
  assert.deepEqual(findStop('xx</ans' + 'wer>', ['</answer>'], 7), { index: 2, stop: '</answer>' });
  assert.equal(findStop('nothing here', ['</answer>']), null);
  assert.equal(findStop('abc', ['']), null);
});

test('stopHoldback counts the trailing characters that could start a stop string', () => {
  assert.equal(stopHoldback('the answer </ans', ['</answer>']), 5);
  assert.equal(stopHoldback('the answer', ['</answer>']), 0);
  assert.equal(stopHoldback('x<', ['<|im_end|>', '</answer>']), 1);
});

test('isEos recognises any of the eos ids', () => {
  assert.equal(isEos(2, [2, 0]), true);
  assert.equal(isEos(0, [2, 0]), true);
  assert.equal(isEos(5, [2, 0]), false);
});
