import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createAdvantageRegistry,
  defaultAdvantageOptions,
  drGrpo,
  grpo,
  reinforcePlusPlus,
  reinforcePlusPlusBaseline,
  rloo,
  std,
} from '../src/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const opts = defaultAdvantageOptions;

test('GRPO advantages are (r - group mean) / (unbiased group std + eps)', () => {
  const { advantages } = grpo.compute(
    [
      [1, 0, 0, 1],
      [3, 1],
    ],
    opts,
  );
  // group 0: mean 0.5, unbiased std sqrt(1/3)
  const s0 = Math.sqrt(1 / 3);
  close(advantages[0]![0]!, 0.5 / (s0 + 1e-6));
  close(advantages[0]![1]!, -0.5 / (s0 + 1e-6));
  // group 1: mean 2, std sqrt(2)
  close(advantages[1]![0]!, 1 / (Math.SQRT2 + 1e-6));
  close(advantages[1]![1]!, -1 / (Math.SQRT2 + 1e-6));
});

test('the standard deviation is unbiased and zero for a single value', () => {
  close(std([1, 2, 3, 4]), Math.sqrt(5 / 3));
  assert.equal(std([7]), 0);
});

test('GRPO with all-equal rewards gives zero advantages and counts the group', () => {
  const r = grpo.compute(
    [
      [1, 1, 1],
      [0, 1, 0],
    ],
    opts,
  );
  assert.deepEqual(r.advantages[0], [0, 0, 0]);
  assert.equal(r.zeroStdGroups, 1);
  assert.equal(r.singletonGroups, 0);
});

test('a group of one has advantage zero under every group baseline and is counted', () => {
  for (const est of [grpo, drGrpo, rloo]) {
    const r = est.compute([[5], [1, 0]], opts);
    assert.deepEqual(r.advantages[0], [0], est.name);
    assert.equal(r.singletonGroups, 1, est.name);
  }
});

test('batch std scope divides every group by the std of all rewards', () => {
  const rewards = [
    [1, 0],
    [2, 2],
  ];
  const s = std([1, 0, 2, 2]);
  const { advantages } = grpo.compute(rewards, { eps: 0, stdScope: 'batch' });
  close(advantages[0]![0]!, 0.5 / s);
  assert.deepEqual(advantages[1], [0, 0]);
});

test('Dr. GRPO does not divide by the std', () => {
  const { advantages } = drGrpo.compute([[4, 0, 2]], opts);
  assert.deepEqual(advantages[0], [2, -2, 0]);
});

test('RLOO subtracts the mean of the other completions', () => {
  const { advantages } = rloo.compute([[1, 0, 0, 1]], opts);
  close(advantages[0]![0]!, 1 - 1 / 3);
  close(advantages[0]![1]!, 0 - 2 / 3);
});

test('REINFORCE++ whitens rewards over the whole batch', () => {
  const { advantages } = reinforcePlusPlus.compute(
    [
      [1, 0],
      [1, 1],
    ],
    { eps: 0, stdScope: 'group' },
  );
  const flat = advantages.flat();
  close(
    flat.reduce((a, b) => a + b, 0),
    0,
    1e-12,
  );
  close(std(flat), 1, 1e-12);
});

test('REINFORCE++-baseline subtracts the group mean before whitening', () => {
  const { advantages } = reinforcePlusPlusBaseline.compute(
    [
      [2, 0],
      [5, 5],
    ],
    { eps: 0, stdScope: 'group' },
  );
  // centered: [1,-1],[0,0]; batch std of those = sqrt(2/3)
  const s = Math.sqrt(2 / 3);
  close(advantages[0]![0]!, 1 / s);
  close(advantages[1]![0]!, 0);
});

test('non-finite rewards and empty groups are rejected with their position', () => {
  assert.throws(() => grpo.compute([[1, Number.NaN]], opts), /rewards\[0\]\[1\]/);
  assert.throws(() => rloo.compute([[]], opts), /rewards\[0\] is an empty group/);
});

test('the registry lists estimators and rejects unknown names with the valid ones', () => {
  const reg = createAdvantageRegistry();
  assert.deepEqual(reg.names(), ['dr_grpo', 'grpo', 'reinforce_pp', 'reinforce_pp_baseline', 'rloo']);
  assert.throws(
    () => reg.get('ppo'),
    (e: Error & { code?: string }) => {
      return e.code === 'GRPO_UNKNOWN_ALGORITHM' && e.message.includes('valid: dr_grpo, grpo');
    },
  );
});
