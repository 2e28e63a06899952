import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RewardSpecError } from '../src/errors.js';
import {
  cosineLengthReward,
  lengthReward,
  measureLength,
  softOverlongPenalty,
} from '../src/functions/index.js';
import { resolveParams, scoreWith } from './fixtures/rules/helpers.js';
import { EN_R1, ZH_MATH } from './fixtures/rules/traces.js';

type Ref = string | Record<string, unknown>;
const score = (completion: string, params: Record<string, unknown>, reference?: Ref) =>
  scoreWith(lengthReward, { completion, ...(reference !== undefined ? { reference } : {}) }, params);
const close = (a: number, b: number, eps: number) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

// TRL tests/test_rewards.py TestSoftOverlongPunishmentReward (huggingface/trl): max 100, cache 20.
const dapo = { method: 'overlong', maxLength: 100, cacheLength: 20 };

test('TRL/DAPO: a completion of 50 within the budget is not punished', () => {
  const r = score('x'.repeat(50), dapo);
  assert.equal(r.score, 0);
  assert.equal(r.status, 'ok');
});

test('TRL/DAPO: a completion of 110 past the maximum scores -1', () => {
  const r = score('x'.repeat(110), dapo);
  assert.equal(r.score, -1);
  assert.equal(r.reason, 'overlong');
});

test('TRL/DAPO: a completion of 90 inside the soft band scores -0.5', () => {
  close(score('x'.repeat(90), dapo).score, -0.5, 1e-12);
});

test('DAPO: the soft band starts after L_max - L_cache and reaches -1 at L_max', () => {
  assert.equal(softOverlongPenalty(80, 100, 20), 0);
  close(softOverlongPenalty(81, 100, 20), -0.05, 1e-12);
  assert.equal(softOverlongPenalty(100, 100, 20), -1);
  assert.equal(softOverlongPenalty(101, 100, 20), -1);
});

test('a zero cache is a hard limit', () => {
  assert.equal(softOverlongPenalty(100, 100, 0), 0);
  assert.equal(softOverlongPenalty(101, 100, 0), -1);
});

test('penaltyFactor scales the penalty (verl overlong_penalty_factor)', () => {
  assert.equal(score('x'.repeat(150), { ...dapo, penaltyFactor: 0.5 }).score, -0.5);
  close(score('x'.repeat(90), { ...dapo, penaltyFactor: 2 }).score, -1, 1e-12);
});

test('an empty completion is not punished', () => {
  assert.equal(score('', dapo).score, 0);
});

test('a cache longer than the maximum is rejected when the spec is resolved, naming the field', () => {
  assert.throws(
    () => score('x', { method: 'overlong', maxLength: 10, cacheLength: 20 }),
    (e: unknown) =>
      e instanceof RewardSpecError &&
      e.field === 'rewards[0].params.cacheLength' &&
      e.code === 'GRPO_REWARD_BAD_PARAMS',
  );
});

test('a maxLength of 0 is rejected by the registry', () => {
  assert.throws(
    () => resolveParams(lengthReward, { maxLength: 0 }),
    (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.maxLength',
  );
});

test('chars are Unicode code points, so an emoji counts once as in Python', () => {
  assert.equal(measureLength('ab😀', 'chars'), 3);
  assert.equal(measureLength('', 'chars'), 0);
});

test('words count whitespace words and each Han character', () => {
  assert.equal(measureLength('Let me think about it', 'words'), 5);
  assert.equal(measureLength('我们需要 x = 2', 'words'), 7);
  assert.equal(measureLength('  \n\t ', 'words'), 0);
});

test('the words unit measures a Chinese R1 trace shorter than chars', () => {
  const w = measureLength(ZH_MATH, 'words');
  const c = measureLength(ZH_MATH, 'chars');
  assert.ok(w > 100 && w < c, `${w} ${c}`);
});

// open-r1 tests/test_rewards.py test_cosine_scaled_reward (huggingface/open-r1): max_len 100, lengths padded.
test('open-r1 cosine: the four padded cases match to two places', () => {
  const params = { method: 'cosine', maxLength: 100 };
  const cases: [string, string, number, number][] = [
    ['\\boxed{\\frac{63}{400}}', '\\frac{63}{400}', 20, 0.943],
    ['\\boxed{\\frac{63}{400}}', '\\frac{63}{400}', 80, 0.547],
    ['\\boxed{\\frac{64}{400}}', '\\frac{63}{400}', 20, -0.942],
    ['\\boxed{\\frac{64}{400}}', '\\frac{63}{400}', 80, -0.547],
  ];
  for (const [content, solution, len, expected] of cases) {
    const padded = content + ' '.repeat(Math.max(0, len - content.length));
    close(score(padded, params, solution).score, expected, 0.005);
  }
});

// TRL tests/test_rewards.py TestCosineScaledReward (huggingface/trl), with correctness passed as a flag.
const cos = { method: 'cosine', maxLength: 100 };
const right = { correct: true };
const wrong = { correct: false };

test('TRL cosine: a shorter correct completion is rewarded more', () => {
  close(score('x'.repeat(25), cos, right).score, 0.92678, 1e-4);
  close(score('x'.repeat(75), cos, right).score, 0.57322, 1e-4);
});

test('TRL cosine: a longer wrong completion is penalized less', () => {
  close(score('x'.repeat(25), cos, wrong).score, -0.92678, 1e-4);
  close(score('x'.repeat(75), cos, wrong).score, -0.57322, 1e-4);
});

test('TRL cosine: the midpoint gives 0.75 and -0.75', () => {
  close(score('x'.repeat(50), cos, right).score, 0.75, 1e-12);
  close(score('x'.repeat(50), cos, wrong).score, -0.75, 1e-12);
});

test('TRL cosine: lengths 0 and maxLength give the bounds', () => {
  close(score('', cos, right).score, 1, 1e-12);
  close(score('x'.repeat(100), cos, right).score, 0.5, 1e-12);
  close(score('', cos, wrong).score, -1, 1e-12);
  close(score('x'.repeat(100), cos, wrong).score, -0.5, 1e-12);
});

test('TRL cosine: lengths past maxLength are clamped', () => {
  close(score('x'.repeat(200), cos, right).score, 0.5, 1e-12);
  close(score('x'.repeat(200), cos, wrong).score, -0.5, 1e-12);
});

test('TRL cosine: custom value bounds', () => {
  const p = resolveParams(lengthReward, { ...cos, minValueCorrect: 0, maxValueCorrect: 2 });
  close(cosineLengthReward(50, true, p), 1, 1e-12);
});

test('cosine status follows correctness', () => {
  assert.equal(score('x', cos, right).status, 'ok');
  const r = score('x', cos, wrong);
  assert.equal(r.status, 'wrong');
  assert.equal(r.details?.correctness, 'flag');
});

test('cosine without a reference is not applicable', () => {
  const r = score(EN_R1, cos);
  assert.equal(r.status, 'not_applicable');
  assert.equal(r.reason, 'no_reference');
  assert.equal(r.score, 0);
});

test('a non-boolean correct flag is an error', () => {
  const r = score(EN_R1, cos, { correct: 'yes' });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'bad_reference');
});

test('correctness flag with only a reference answer is not applicable', () => {
  assert.equal(score(EN_R1, { ...cos, correctness: 'flag' }, '91').reason, 'no_correct_flag');
});

test('correctness match reads the answer block of an R1 trace', () => {
  const r = score(EN_R1, { ...cos, maxLength: 1000 }, '91');
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.correctness, 'match');
  assert.equal(score(EN_R1, { ...cos, maxLength: 1000 }, { answer: '92' }).status, 'wrong');
});

test('correctness match compares numbers across notations', () => {
  assert.equal(score('<answer>\\dfrac{1}{2}</answer>', cos, '0.5').status, 'ok');
  assert.equal(score('The total is \\boxed{1,000}.', cos, '1000').status, 'ok');
  assert.equal(score('<answer>$\\left( 1, 2 \\right)$</answer>', cos, '(1,2)').status, 'ok');
});

test('correctness match ignores the flag when asked to', () => {
  assert.equal(
    score('\\boxed{3}', { ...cos, correctness: 'match' }, { correct: true, answer: '4' }).status,
    'wrong',
  );
});

test('a completion with no final answer is wrong under match', () => {
  const r = score('I am not sure.', cos, '4');
  assert.equal(r.status, 'wrong');
  assert.equal(r.details?.correctness, 'no_answer');
  close(r.score, cosineLengthReward(14, false, resolveParams(lengthReward, cos)), 1e-12);
});
