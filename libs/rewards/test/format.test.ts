import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseFormat, formatReward, matchesFormat, matchesOpenR1Format } from '../src/functions/index.js';
import { resolveParams, scoreWith } from './fixtures/rules/helpers.js';
import {
  CODE_TAGS,
  EN_NESTED,
  EN_QUESTION,
  EN_R1,
  EN_R1_PREFILLED,
  EN_TRUNCATED,
  prefilledPrompt,
  r1ZeroPrompt,
} from './fixtures/rules/traces.js';

const score = (completion: string, params: Record<string, unknown> = {}, prompt = '') =>
  scoreWith(formatReward, { completion, prompt }, params);

// open-r1 tests/test_rewards.py (huggingface/open-r1), TestRewards.test_format_reward_* with the current
// regex `^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$`.
test('open-r1: the newline-separated template scores 1', () => {
  const r = score('<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>');
  assert.equal(r.score, 1);
  assert.equal(r.status, 'ok');
});

test('open-r1: each of the incorrect formats scores 0', () => {
  const incorrect = [
    '<think>Only thinking</think>',
    '<answer>Only answer</answer>',
    'No tags at all',
    '<think>Missing closing</think><answer>Missing closing',
    '<think>Wrong order</answer><answer>Wrong order</think>',
  ];
  for (const c of incorrect) {
    const r = score(c);
    assert.equal(r.score, 0, c);
    assert.equal(r.status, 'wrong', c);
  }
});

test('open-r1: the specific multiline counting trace scores 1', () => {
  const inputs =
    '<think>\nI will count each distinct object in the image:\n1. Purple scooter\n2. Red bicycle\n3. Green motorcycle\n' +
    '4. Gray sedan\n5. Yellow school bus\n6. Small green double-decker bus\n7. Small red car\n8. Small purple car\n' +
    '9. Small gray dirt bike\n\nThere are 9 distinct objects in total.\n</think>\n<answer>\n9\n</answer>';
  assert.equal(score(inputs).score, 1);
});

test('open-r1: the inline answer of the earlier multiline case fails strict but passes whitespace mode', () => {
  // The earlier open-r1 regex accepted `<answer>9</answer>` on one line; the current one needs newlines.
  const inputs =
    '<think>\nI will count each distinct object.\nThere are 9 in total.\n</think>\n<answer>9</answer>';
  assert.equal(score(inputs).score, 0);
  assert.equal(score(inputs, { mode: 'whitespace' }).score, 1);
});

test('open-r1: the earlier one-line template passes whitespace mode only', () => {
  const c = '<think>Some reasoning</think><answer>The answer</answer>';
  assert.equal(score(c).score, 0);
  assert.equal(score(c, { mode: 'whitespace' }).score, 1);
});

// TRL tests/test_rewards.py TestThinkFormatReward (huggingface/trl), for mode `think`.
test('TRL think_format_reward: the valid formats score 1', () => {
  const valid = [
    '<think>This is my reasoning.</think>This is my answer.',
    '<think>\nThis is my reasoning.\n</think>\nThis is my answer.',
    '<think>\nThis is\nmy reasoning.\n</think>\nThis is my answer.',
    '<think>\nThis is <some tag> my reasoning.</think>\nThis is my answer.',
    '<think></think>\nThis is my answer.',
  ];
  for (const c of valid) assert.equal(score(c, { mode: 'think' }).score, 1, c);
});

test('TRL think_format_reward: the invalid formats score 0', () => {
  const invalid = [
    '<think>\nThis is my reasoning.\nThis is my answer.',
    '<think>This is my reasoning.\nThis is my answer.',
    'This is my reasoning. This is my answer.',
    'This is my reasoning.\nThis is my answer.',
    'This is my reasoning.</think>\nThis is my answer.',
    'This is my reasoning.</think>This is my answer.',
    'This<think>is my reasoning.</think>\nThis is my answer.',
    '<think>This is<think>my reasoning.</think></think>This is my answer.',
    '<think>This is</think>\nmy\n<think>reasoning.</think>\nThis is my answer.',
  ];
  for (const c of invalid) assert.equal(score(c, { mode: 'think' }).score, 0, c);
});

test('a full English R1 trace scores 1 in every mode', () => {
  for (const mode of ['strict', 'whitespace', 'think']) assert.equal(score(EN_R1, { mode }).score, 1, mode);
});

test('a completion after a prompt that prefilled <think> scores 1 and says it was prefilled', () => {
  const r = score(EN_R1_PREFILLED, {}, prefilledPrompt(EN_QUESTION));
  assert.equal(r.score, 1);
  assert.deepEqual(r.details, { mode: 'strict', prefilled: true });
});

test('a completion missing <think> is not excused when the prompt did not prefill it', () => {
  const r = score(EN_R1_PREFILLED, {}, r1ZeroPrompt(EN_QUESTION));
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'missing_think_open');
});

test('prefill never ignores a prefilled prompt', () => {
  assert.equal(score(EN_R1_PREFILLED, { prefill: 'never' }, prefilledPrompt(EN_QUESTION)).score, 0);
});

test('prefill always excuses a missing <think> without looking at the prompt', () => {
  assert.equal(score(EN_R1_PREFILLED, { prefill: 'always' }).score, 1);
  assert.equal(score(`\n${EN_R1_PREFILLED}`, { prefill: 'always' }).score, 1);
});

test('a prompt ending in <think> without a newline lets the completion supply it', () => {
  const prompt = 'User: what is 6*7?\nAssistant: <think>';
  assert.equal(score('\n6*7 = 42.\n</think>\n<answer>\n42\n</answer>', {}, prompt).score, 1);
});

test('a completion that repeats the prefilled <think> is scored on its own text', () => {
  const r = score(EN_R1, {}, prefilledPrompt(EN_QUESTION));
  assert.equal(r.score, 1);
  assert.equal(r.details?.prefilled, false);
});

test('a truncated completion scores 0 with reason missing_think_close', () => {
  const r = score(EN_TRUNCATED);
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'missing_think_close');
});

test('nested think blocks pass strict (as open-r1 regex does) but fail whitespace mode', () => {
  assert.equal(score(EN_NESTED).score, 1);
  const r = score(EN_NESTED, { mode: 'whitespace' });
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'duplicate_tags');
});

test('tags quoted inside a code block of the answer do not break whitespace mode', () => {
  assert.equal(score(CODE_TAGS).score, 1);
  assert.equal(score(CODE_TAGS, { mode: 'whitespace' }).score, 1);
});

test('text on a new line after </answer> is accepted by default and rejected with trailingText false', () => {
  const c = `${EN_R1}\nIs there anything else?`;
  assert.equal(score(c).score, 1);
  assert.equal(score(c, { trailingText: false }).score, 0);
  assert.equal(score(`${EN_R1}\n\n`, { trailingText: false }).score, 1);
});

test('text glued to </answer> on the same line fails strict mode', () => {
  const r = score(`${EN_R1} Done.`);
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'text_after_answer');
});

test('an empty completion scores 0 with reason empty', () => {
  const r = score('');
  assert.equal(r.score, 0);
  assert.equal(r.status, 'wrong');
  assert.equal(r.reason, 'empty');
});

test('text before <think> fails with reason text_before_think', () => {
  const r = score(`Sure! ${EN_R1}`, { mode: 'whitespace' });
  assert.equal(r.score, 0);
  assert.equal(r.reason, 'text_before_think');
});

test('Windows line endings fail strict mode and pass whitespace mode', () => {
  const c = '<think>\r\nreasoning\r\n</think>\r\n<answer>\r\n42\r\n</answer>';
  assert.equal(score(c).score, 0);
  assert.equal(score(c, { mode: 'whitespace' }).score, 1);
});

test('an answer block before the reasoning fails with reason tag_order', () => {
  assert.equal(diagnoseFormat('<answer>\n1\n</answer>\n<think>\nx\n</think>', 'strict'), 'tag_order');
});

test('a completion without the answer block fails with reason missing_answer_open', () => {
  assert.equal(score('<think>\nreasoning\n</think>\nThe answer is 4.').reason, 'missing_answer_open');
});

test('a text between the blocks fails whitespace mode with reason text_between_blocks', () => {
  const r = score('<think>x</think> so <answer>4</answer>', { mode: 'whitespace' });
  assert.equal(r.reason, 'text_between_blocks');
});

test('a huge completion of 400k characters is judged correctly', () => {
  const body = 'Let me carefully consider every case again. '.repeat(10_000);
  assert.equal(matchesFormat(`<think>\n${body}\n</think>\n<answer>\n7\n</answer>`, 'strict'), true);
  assert.equal(matchesFormat(`<think>\n${body}\n</think>\n<answer>\n7`, 'strict'), false);
});

test('an unknown mode is rejected by the registry naming the field', () => {
  assert.throws(
    () => resolveParams(formatReward, { mode: 'loose' }),
    (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.mode',
  );
});

test('the default registry holds the five rule-based functions', async () => {
  const { createDefaultRegistry } = await import('../src/default-registry.js');
  const names = createDefaultRegistry().names();
  for (const n of ['format', 'tags', 'language_consistency', 'length', 'repetition'])
    assert.ok(names.includes(n), n);
});

// open-r1's regex in JavaScript: re.match anchors at 0, DOTALL `.` is [\s\S], MULTILINE `$` is (?=\n|$).
const OPEN_R1_REGEX = /^<think>\n[\s\S]*?\n<\/think>\n<answer>\n[\s\S]*?\n<\/answer>(?=\n|$)/;

test('the linear strict matcher agrees with the open-r1 regex on edge cases', () => {
  const cases = [
    EN_R1,
    EN_NESTED,
    CODE_TAGS,
    EN_TRUNCATED,
    '<think>\n\n</think>\n<answer>\n\n</answer>',
    '<think>\n</think>\n<answer>\n</answer>',
    '<think>\nx\n</think>\n<answer>\ny\n</answer>\n',
    '<think>\nx\n</think>\n<answer>\ny\n</answer>x',
    '<think>\nx\n</think>\n<answer>\ny\n</answer>x\n</answer>',
    '<think>\nx\n</think>\n<answer>\n</answer>\n</answer>',
    '<think>\nx\n</think>\n<answer>\ny\n</think>\n<answer>\nz\n</answer>',
    ' <think>\nx\n</think>\n<answer>\ny\n</answer>',
    '<think>\nx</think>\n<answer>\ny\n</answer>',
    '<think>\nx\n</think>\n\n<answer>\ny\n</answer>',
  ];
  for (const c of cases) assert.equal(matchesOpenR1Format(c), OPEN_R1_REGEX.test(c), JSON.stringify(c));
});

test('a degenerate loop of tags is judged in linear time', () => {
  const loop = `<think>\n${'\n</think>\n<answer>\n'.repeat(20_000)}`;
  assert.equal(matchesOpenR1Format(loop), false);
  assert.equal(score(loop).reason, 'missing_answer_close');
  assert.equal(score(loop, { mode: 'whitespace' }).score, 0);
});
