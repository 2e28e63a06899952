import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ngramStats, repetitionReward } from '../src/functions/index.js';
import { resolveParams, scoreWith } from './fixtures/rules/helpers.js';
import { EN_R1, ZH_MATH } from './fixtures/rules/traces.js';

const score = (
  completion: string,
  ngramSize: number,
  maxPenalty: number,
  extra: Record<string, unknown> = {},
) => scoreWith(repetitionReward, { completion }, { ngramSize, maxPenalty, ...extra }).score;
const close = (a: number, b: number, eps = 1e-7) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

// open-r1 tests/test_rewards.py TestRepetitionPenaltyReward (huggingface/open-r1).
test('open-r1: a positive max penalty is rejected', () => {
  for (const maxPenalty of [1.0, 1.5]) {
    assert.throws(
      () => resolveParams(repetitionReward, { ngramSize: 2, maxPenalty }),
      (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.maxPenalty',
    );
  }
});

test('open-r1: no repetition scores 0', () => {
  assert.equal(score('this is a test sentence', 2, -1), 0);
});

test('open-r1: full repetition of bigrams scores -0.75', () => {
  assert.equal(score('this this this this this', 2, -1), -0.75);
});

test('open-r1: partial repetition scores -1/3', () => {
  close(score('this is a this is a test', 2, -1), -1 / 3);
});

test('open-r1: several completions with trigrams and penalty -0.5', () => {
  close(score('this is a test', 3, -0.5), 0);
  close(score('test test test test', 3, -0.5), -0.25);
});

test('open-r1: an empty completion scores 0', () => {
  assert.equal(score('', 2, -1), 0);
});

test('open-r1: trigrams with penalty -2 score -0.4', () => {
  close(score('this is a this is a test', 3, -2), -0.4);
});

test('open-r1: case does not matter', () => {
  assert.equal(score('This is A Test', 2, -1), score('this IS a test', 2, -1));
});

test('open-r1: completions shorter than n words score 0', () => {
  assert.equal(score('word', 3, -1), 0);
  assert.equal(score('two words', 3, -1), 0);
  assert.equal(score('three different words', 3, -1), 0);
});

test('open-r1: word word word word scores -0.5', () => {
  assert.equal(score('word word word word', 3, -1), -0.5);
});

test('open-r1: one two one two has no repeated trigram', () => {
  assert.equal(score('one two one two', 3, -1), 0);
});

test('open-r1: A B C A B has no repeated trigram', () => {
  assert.equal(score('A B C A B', 3, -0.5), 0);
});

test('open-r1: A B C A B C scores -0.25', () => {
  assert.equal(score('A B C A B C', 3, -1), -0.25);
});

test('open-r1: a long completion with repetition scores -0.3846', () => {
  close(score('A B C A B C E F G A B C A B C', 3, -1), -0.3846, 1e-4);
});

test('open-r1: a long completion without repetition scores 0', () => {
  assert.equal(score('A B C D E F G H I J K L', 3, -1), 0);
});

test('the defaults are trigrams and a maximum penalty of -1', () => {
  assert.deepEqual(resolveParams(repetitionReward, {}), {
    ngramSize: 3,
    maxPenalty: -1,
    words: 'whitespace_cjk',
  });
});

test('an ngramSize of 0 is rejected by the registry', () => {
  assert.throws(() => resolveParams(repetitionReward, { ngramSize: 0 }));
});

test('no repetition gives +0, never -0', () => {
  assert.ok(Object.is(score('all different words here', 2, -1), 0));
});

test('Chinese characters are words of their own by default and one word in whitespace mode', () => {
  // 我们我们我们我们: 7 character bigrams, 2 distinct.
  close(score('我们我们我们我们', 2, -1), -(1 - 2 / 7));
  assert.equal(score('我们我们我们我们', 2, -1, { words: 'whitespace' }), 0);
});

test('whitespace and whitespace_cjk agree on text without CJK', () => {
  assert.equal(score(EN_R1, 3, -1), score(EN_R1, 3, -1, { words: 'whitespace' }));
});

test('a degenerate generation loop approaches the maximum penalty', () => {
  const loop = `<think>\nLet me compute. ${'Wait, let me recompute the sum. '.repeat(500)}`;
  const s = score(loop, 3, -1);
  assert.ok(s < -0.99 && s >= -1, String(s));
});

test('a normal R1 trace is penalized little', () => {
  const s = score(ZH_MATH, 3, -1);
  assert.ok(s > -0.1 && s <= 0, String(s));
});

test('details report n-gram counts', () => {
  const r = scoreWith(repetitionReward, { completion: 'a b a b a' }, { ngramSize: 2 });
  assert.deepEqual(r.details, { ngrams: 4, distinct: 2, ngramSize: 2 });
  assert.equal(r.status, 'ok');
  assert.equal(r.score, -0.5);
});

test('unigram statistics count distinct words', () => {
  assert.deepEqual(ngramStats(['a', 'b', 'a'], 1), { unique: 2, total: 3 });
  assert.deepEqual(ngramStats([], 1), { unique: 0, total: 0 });
});
