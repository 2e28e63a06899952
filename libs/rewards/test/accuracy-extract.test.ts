import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractAnswer, lastBoxed, normalizeAnswer } from '../src/index.js';

const opts = { lastNumberFallback: true, whole: 'off' } as const;

test('the last boxed answer wins', () => {
  assert.equal(lastBoxed(String.raw`\boxed{1} then \boxed{2}`), '2');
});

test('adjacent boxes form one list of answers', () => {
  assert.equal(lastBoxed(String.raw`$\boxed{1}$, $\boxed{2}$`), '1, 2');
  // Joined by and/or, the word stays: such answers are a set.
  assert.equal(lastBoxed(String.raw`$\boxed{1}$ and $\boxed{2}$`), '1 and 2');
});

test('a box nested in a box is one answer', () => {
  assert.equal(lastBoxed(String.raw`\boxed{\boxed{5}}`), '5');
});

test('boxed content keeps nested braces', () => {
  assert.equal(lastBoxed(String.raw`\boxed{\frac{1}{\sqrt{2}}}`), String.raw`\frac{1}{\sqrt{2}}`);
});

test('an unclosed last box falls back to the previous complete one', () => {
  assert.equal(lastBoxed(String.raw`\boxed{7} then \boxed{\frac{1}{2}`), '7');
});

test('fbox is read like boxed', () => {
  assert.equal(lastBoxed(String.raw`\fbox{9}`), '9');
});

test('escaped braces inside a box do not close it', () => {
  assert.equal(lastBoxed(String.raw`\boxed{\{1,2\}}`), String.raw`\{1,2\}`);
});

test('the answer tag is preferred over a boxed answer outside it', () => {
  const e = extractAnswer(String.raw`<think>\boxed{3}</think><answer>4</answer>`, opts);
  assert.deepEqual(e, { answer: '4', method: 'answer_tag' });
});

test('a boxed answer inside the answer tag is taken from inside', () => {
  const e = extractAnswer(String.raw`<answer>so \boxed{5}</answer>`, opts);
  assert.deepEqual(e, { answer: '5', method: 'boxed' });
});

test('"the answer is" takes the math block that follows', () => {
  const e = extractAnswer(String.raw`Thus the final answer is $\frac{1}{2}$. I hope it is correct.`, opts);
  assert.deepEqual(e, { answer: String.raw`\frac{1}{2}`, method: 'phrase' });
});

test('"the answer is" stops at the end of the sentence but not at a decimal point', () => {
  assert.equal(extractAnswer('The answer is 3.5. Next we check.', opts)?.answer, '3.5');
});

test('#### is read as a GSM8K answer', () => {
  assert.deepEqual(extractAnswer('6*7=42\n#### 42', opts), { answer: '42', method: 'gsm8k' });
});

test('the last number is the fallback', () => {
  assert.deepEqual(extractAnswer('we add 3 and 4 to get 7 apples', opts), {
    answer: '7',
    method: 'last_number',
  });
});

test('the last-number fallback can be switched off', () => {
  assert.equal(
    extractAnswer('we add 3 and 4 to get 7 apples', { lastNumberFallback: false, whole: 'off' }),
    null,
  );
});

test('a text with no number and no marker has no answer', () => {
  assert.equal(extractAnswer('I am not sure about this one', opts), null);
});

test('prose after "the answer is" gives the last number of that sentence', () => {
  const e = extractAnswer('The answer is probably 12 but I cannot tell.\nLater we saw 13', opts);
  assert.deepEqual(e, { answer: '12', method: 'phrase' });
});

test('prose after "the answer is" without a number falls through to the last number', () => {
  const e = extractAnswer('The answer is not what I expected at all.\nWe get 13', opts);
  assert.deepEqual(e, { answer: '13', method: 'last_number' });
});

test('a Russian "Ответ:" line is an answer marker', () => {
  assert.equal(extractAnswer('Решение... Ответ: 17', opts)?.answer, '17');
});

test('a Chinese 答案是 phrase is an answer marker', () => {
  assert.equal(extractAnswer('所以答案是 17', opts)?.method, 'phrase');
});

test('normalization drops \\left, \\right, \\! and \\dfrac', () => {
  assert.equal(normalizeAnswer(String.raw`\left(\dfrac{1}{2}\!\right)`).text, String.raw`(\frac{1}{2} )`);
});

test('normalization removes thousands separators in three forms', () => {
  assert.equal(normalizeAnswer('1,000,000').text, '1000000');
  assert.equal(normalizeAnswer('1 000 000').text, '1000000');
  assert.equal(normalizeAnswer('1{,}000').text, '1000');
});

test('normalization keeps a comma that is not a thousands separator', () => {
  assert.equal(normalizeAnswer('1,2').text, '1,2');
});

test('normalization drops units after a number', () => {
  assert.equal(normalizeAnswer(String.raw`5\text{ cm}^2`).text, '5');
  assert.equal(normalizeAnswer('18 dollars').text, '18');
});

test('normalization writes degrees and percent as postfix signs', () => {
  assert.equal(normalizeAnswer(String.raw`30^\circ`).text, '30°');
  assert.equal(normalizeAnswer(String.raw`30^{\circ}`).text, '30°');
  assert.equal(normalizeAnswer(String.raw`f \circ g`).text, 'f  g');
  assert.equal(normalizeAnswer(String.raw`50\%`).text, '50%');
});

test('normalization maps Unicode minus, pi and superscripts', () => {
  assert.equal(normalizeAnswer('−2π').text, String.raw`-2\pi`);
  assert.equal(normalizeAnswer('x²').text, 'x^2');
});

test('a word answer is recognised as text and lowercased', () => {
  assert.deepEqual(normalizeAnswer(String.raw`\text{Monday}`), { text: 'monday', isText: true });
});

test('a product of letters is not taken for a word answer', () => {
  assert.equal(normalizeAnswer('ab').isText, false);
});
