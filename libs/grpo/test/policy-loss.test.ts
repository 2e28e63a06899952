import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultPolicyLossConfig,
  informativeGroups,
  klPerToken,
  overlongPenalty,
  type PolicyLossConfig,
  policyLossReference,
} from '../src/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const cfg = (over: Partial<PolicyLossConfig> = {}): PolicyLossConfig => ({
  ...defaultPolicyLossConfig,
  ...over,
});

test('on-policy, the clipped surrogate equals -advantage for every token', () => {
  const r = policyLossReference(
    [
      { logp: [-1, -2], oldLogp: [-1, -2], advantage: 0.5 },
      { logp: [-3], oldLogp: [-3], advantage: -1 },
    ],
    cfg(),
  );
  // token-mean over 3 tokens: (-0.5 - 0.5 + 1) / 3
  close(r.loss, 0);
  assert.equal(r.clipFraction, 0);
});

test('a ratio above 1 + epsHigh with a positive advantage is clipped', () => {
  const ratio = 1.5;
  const r = policyLossReference(
    [{ logp: [Math.log(ratio)], oldLogp: [0], advantage: 2 }],
    cfg({ epsHigh: 0.28 }),
  );
  close(r.loss, -1.28 * 2);
  assert.equal(r.clipFraction, 1);
});

test('a ratio below 1 - epsLow with a negative advantage is clipped pessimistically', () => {
  const r = policyLossReference([{ logp: [Math.log(0.5)], oldLogp: [0], advantage: -1 }], cfg());
  // -min(0.5 * -1, 0.8 * -1) = 0.8
  close(r.loss, 0.8);
});

test('dual clip caps the loss of a negative advantage at c * |A|', () => {
  const seq = { logp: [Math.log(10)], oldLogp: [0], advantage: -1 };
  close(policyLossReference([seq], cfg()).loss, 10);
  close(policyLossReference([seq], cfg({ dualClip: 3 })).loss, 3);
});

test('the three loss aggregations weight sequences as documented', () => {
  const batch = [
    { logp: [0, 0, 0], oldLogp: [0, 0, 0], advantage: -1 }, // loss 1 per token
    { logp: [0], oldLogp: [0], advantage: -3 }, // loss 3
  ];
  close(policyLossReference(batch, cfg({ aggregation: 'token-mean' })).loss, (3 + 3) / 4);
  close(policyLossReference(batch, cfg({ aggregation: 'seq-mean-token-mean' })).loss, (1 + 3) / 2);
  close(
    policyLossReference(batch, cfg({ aggregation: 'seq-mean-token-sum-norm', normLength: 10 })).loss,
    6 / 20,
  );
});

test('GSPO uses one length-normalized ratio per sequence', () => {
  const r = policyLossReference(
    [{ logp: [Math.log(1.1), Math.log(0.9)], oldLogp: [0, 0], advantage: 1 }],
    cfg({ ratio: 'sequence', epsLow: 0.5, epsHigh: 0.5 }),
  );
  const s = Math.exp((Math.log(1.1) + Math.log(0.9)) / 2);
  close(r.loss, -s);
});

test('KL estimators match their definitions and k3 is non-negative', () => {
  const logp = -1.2;
  const ref = -0.7;
  const logr = ref - logp;
  close(klPerToken('k1', logp, ref), -logr);
  close(klPerToken('k2', logp, ref), 0.5 * logr * logr);
  close(klPerToken('k3', logp, ref), Math.exp(logr) - 1 - logr);
  for (const d of [-5, -0.1, 0, 0.1, 5]) assert.ok(klPerToken('k3', 0, d) >= 0);
  assert.equal(klPerToken('k3', -1, -1), 0);
});

test('the KL penalty and entropy bonus are added with their coefficients', () => {
  const seq = { logp: [-1], oldLogp: [-1], refLogp: [-0.5], entropy: [2], advantage: 0 };
  const r = policyLossReference([seq], cfg({ klCoef: 0.1, entropyCoef: 0.01 }));
  close(r.kl, klPerToken('k3', -1, -0.5));
  close(r.loss, 0.1 * r.kl - 0.01 * 2);
});

test('an empty completion contributes nothing and does not divide by zero', () => {
  const r = policyLossReference(
    [{ logp: [], oldLogp: [], advantage: 1 }],
    cfg({ aggregation: 'seq-mean-token-mean' }),
  );
  assert.equal(r.loss, 0);
  assert.equal(r.clipFraction, 0);
});

test('dynamic sampling keeps only groups with differing rewards', () => {
  assert.deepEqual(informativeGroups([[1, 1], [0, 1], [0], [0, 0, 0], [2, 1, 2]]), [1, 4]);
});

test('the soft overlong penalty is 0, then linear, then -1', () => {
  assert.equal(overlongPenalty(100, 200, 50), 0);
  assert.equal(overlongPenalty(150, 200, 50), 0);
  close(overlongPenalty(175, 200, 50), -0.5);
  assert.equal(overlongPenalty(200, 200, 50), -1);
  assert.equal(overlongPenalty(300, 200, 50), -1);
  assert.throws(() => overlongPenalty(1, 10, 0), /cacheLength/);
});
