import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTags, positionTags, tagsReward } from '../src/functions/index.js';
import { resolveParams, scoreWith } from './fixtures/rules/helpers.js';
import {
  CODE_TAGS,
  EN_NESTED,
  EN_QUESTION,
  EN_R1,
  EN_R1_PREFILLED,
  EN_TRUNCATED,
  prefilledPrompt,
} from './fixtures/rules/traces.js';

const score = (completion: string, params: Record<string, unknown> = {}, prompt = '') =>
  scoreWith(tagsReward, { completion, prompt }, params).score;

// open-r1 tests/test_rewards.py (huggingface/open-r1), test_tag_count_rewards_*.
test('open-r1: all four tags score 1', () => {
  const r = scoreWith(tagsReward, {
    completion: '<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>',
  });
  assert.equal(r.score, 1);
  assert.equal(r.status, 'ok');
});

test('open-r1: a missing <think> scores 0.75', () => {
  assert.equal(score('Some reasoning\n</think>\n<answer>\nThe answer\n</answer>'), 0.75);
});

test('open-r1: a missing </think> scores 0.75', () => {
  assert.equal(score('<think>\nSome reasoning\n<answer>\nThe answer\n</answer>'), 0.75);
});

test('open-r1: a missing <answer> scores 0.75', () => {
  assert.equal(score('<think>\nSome reasoning\n</think>\nThe answer\n</answer>'), 0.75);
});

test('open-r1: a missing </answer> scores 0.75', () => {
  assert.equal(score('<think>\nSome reasoning\n</think>\n<answer>\nThe answer'), 0.75);
});

test('open-r1: no tags at all scores 0 with reason no_tags', () => {
  const r = scoreWith(tagsReward, { completion: 'Some reasoning\nThe answer' });
  assert.equal(r.score, 0);
  assert.equal(r.status, 'wrong');
  assert.equal(r.reason, 'no_tags');
});

test('a prefilled <think> from the prompt earns its credit', () => {
  assert.equal(score(EN_R1_PREFILLED, {}, prefilledPrompt(EN_QUESTION)), 1);
  assert.equal(score(EN_R1_PREFILLED, { prefill: 'never' }, prefilledPrompt(EN_QUESTION)), 0.75);
});

test('a truncated completion earns only the <think> credit', () => {
  assert.equal(score(EN_TRUNCATED), 0.25);
  assert.equal(score(EN_TRUNCATED, { mode: 'position' }), 0.25);
});

test('nested think blocks lose think credit, counted without overlap as Python str.count does', () => {
  // `\n</think>\n</think>\n`: the second marker shares its newline with the first, so it is not counted.
  assert.deepEqual(countTags(EN_NESTED), [false, true, true, true]);
  assert.equal(score(EN_NESTED), 0.75);
  assert.equal(score(EN_NESTED, { mode: 'position' }), 0.5);
});

test('perTag scales the credit', () => {
  assert.equal(score(EN_R1, { perTag: 0.5 }), 2);
  assert.equal(score(EN_TRUNCATED, { perTag: 1 }), 1);
});

test('position mode gives full credit to a well-formed trace with any whitespace', () => {
  assert.deepEqual(positionTags(EN_R1), [true, true, true, true]);
  assert.equal(score('  <think>x</think> <answer>4</answer>\n', { mode: 'position' }), 1);
});

test('position mode ignores a closing tag quoted in a code block while count mode is fooled', () => {
  const c = '<think>\nI will show the markup.\n</think>\n<answer>\n```html\n</answer>\n```\nDone.\n</answer>';
  assert.equal(score(c), 0.75);
  assert.equal(score(c, { mode: 'position' }), 1);
});

test('tags inside inline code in the answer do not cost credit in either mode', () => {
  assert.equal(score(CODE_TAGS), 1);
  assert.equal(score(CODE_TAGS, { mode: 'position' }), 1);
});

test('position mode denies </answer> credit when text follows it', () => {
  assert.deepEqual(positionTags(`${EN_R1}\nAnything else?`), [true, true, true, false]);
});

test('position mode denies <think> credit when text precedes it', () => {
  assert.deepEqual(positionTags(`Sure.\n${EN_R1}`), [false, true, true, true]);
});

test('position mode denies credit to blocks in the wrong order', () => {
  // Only `</think>` after `<think>` holds; the answer block is neither after the reasoning nor last.
  assert.deepEqual(positionTags('<answer>4</answer><think>x</think>'), [false, true, false, false]);
});

test('an empty completion scores 0 in both modes', () => {
  assert.equal(score(''), 0);
  assert.equal(score('', { mode: 'position' }), 0);
});

test('details report which tags earned credit', () => {
  const r = scoreWith(tagsReward, {
    completion: 'Some reasoning\n</think>\n<answer>\nThe answer\n</answer>',
  });
  assert.deepEqual(r.details, {
    mode: 'count',
    prefilled: false,
    thinkOpen: false,
    thinkClose: true,
    answerOpen: true,
    answerClose: true,
  });
  assert.equal(r.reason, 'missing_tags');
});

test('a negative perTag is rejected by the registry naming the field', () => {
  assert.throws(
    () => resolveParams(tagsReward, { perTag: -1 }),
    (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.perTag',
  );
});
