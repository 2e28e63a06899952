import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type VerifyResult, verifyMath } from '../src/index.js';

// Adversarial inputs: each must come back with a status, never hang or throw, and within
// its budget (plus a margin for the scans that run before the first clock check and for a
// busy 2-core machine).
const MARGIN_MS = 400;

function timed(gold: string, prediction: string, timeoutMs = 200, maxAnswerChars?: number) {
  const t0 = performance.now();
  const r: VerifyResult = verifyMath(gold, prediction, {
    timeoutMs,
    ...(maxAnswerChars ? { maxAnswerChars } : {}),
  });
  const ms = performance.now() - t0;
  assert.ok(ms < timeoutMs + MARGIN_MS, `took ${ms.toFixed(1)} ms`);
  return r;
}

test('a 100k-character completion is scanned fully and its final box is found', () => {
  const r = timed('42', `${'we reason at length. '.repeat(5000)}\\boxed{42}`);
  assert.equal(r.status, 'ok');
});

test('a 100k-character completion without an answer is unparseable', () => {
  assert.equal(timed('42', 'lorem ipsum dolor '.repeat(6000)).status, 'unparseable');
});

test('an answer longer than maxAnswerChars is unparseable with reason answer_too_long', () => {
  const r = timed('1', `\\boxed{${'{'.repeat(5000)}1${'}'.repeat(5000)}}`);
  assert.equal(r.status, 'unparseable');
  assert.equal(r.reason, 'answer_too_long');
});

test('deeply nested braces within the size limit are refused by the depth limit', () => {
  const r = timed('1', `\\boxed{${'{'.repeat(450)}1${'}'.repeat(450)}}`);
  assert.equal(r.status, 'unparseable');
  assert.equal(r.reason, 'too_deep');
});

test('a power tower 10^{10^{10}} is compared without being computed', () => {
  assert.equal(timed('1', '\\boxed{10^{10^{10}}}').status, 'wrong');
  assert.equal(timed('10^{10^{10}}', '\\boxed{10^{10^{11}}}').status, 'wrong');
});

test('a chain of 60 nested fractions is evaluated exactly', () => {
  const chain = `${'\\frac{1}{1+'.repeat(60)}1${'}'.repeat(60)}`;
  // A continued fraction of ones: the ratio of consecutive Fibonacci numbers.
  let a = 1n;
  let b = 1n;
  for (let i = 0; i < 60; i++) [a, b] = [b, a + b];
  const r = timed(`\\frac{${a}}{${b}}`, `\\boxed{${chain}}`);
  assert.equal(r.status, 'ok');
  assert.equal(r.rule, 'exact');
});

test('huge factorials are refused exactly and compared as floating infinity', () => {
  assert.equal(timed('1', '\\boxed{100000!}').status, 'wrong');
  assert.equal(timed('1', '\\boxed{(10^{100})!}').status, 'wrong');
});

test('a big exact factorial is compared exactly', () => {
  assert.equal(timed('\\frac{300!}{299!}', '\\boxed{300}').status, 'ok');
});

test('a huge exponent does not allocate a huge BigInt', () => {
  assert.equal(timed('1', '\\boxed{2^{99999999}}').status, 'wrong');
  assert.equal(timed('1', '\\boxed{1^{99999999}}').status, 'ok');
});

test('a long answer of unbalanced brackets is unparseable, not a crash', () => {
  assert.equal(timed('1', `\\boxed{${'(['.repeat(300)}}`).status, 'unparseable');
});

test('a completion of 100k dollar signs is handled', () => {
  const r = timed('1', '$'.repeat(100_000));
  assert.ok(['unparseable', 'wrong'].includes(r.status));
});

test('many unclosed boxes are scanned in linear time', () => {
  assert.equal(timed('1', '\\boxed{'.repeat(20_000)).status, 'unparseable');
});

test('a comparison that outlasts its budget ends with status error and reason timeout', () => {
  const n = 120;
  const set = (k: (i: number) => number) =>
    `\\{${Array.from({ length: n }, (_, i) => `x^{${k(i)}}+\\sin(${k(i)}x)`).join(',')}\\}`;
  const gold = set((i) => i);
  const pred = set((i) => n - 1 - i);
  const t0 = performance.now();
  const r = verifyMath(gold, pred, { timeoutMs: 10, maxAnswerChars: 10_000 });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'timeout');
  assert.ok(performance.now() - t0 < 10 + MARGIN_MS);
});

test('an already passed deadline gives a timeout at once', () => {
  const r = verifyMath('x^2+2x+1', '(x+1)^2', { deadlineMs: Date.now() - 1 });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'timeout');
});

test('answers at the largest maxAnswerChars (10000) stay within budget in every shape', () => {
  const n = 9990;
  const shapes = [
    `1${' '.repeat(n - 10)}ab`,
    '1 '.repeat(n / 2 - 5),
    `${'1,'.repeat(n / 2 - 5)}1`,
    'a'.repeat(n - 10),
    `1${'.'.repeat(n - 10)}`,
    `1${' 元'.repeat(n / 2 - 10)}`,
    '1\\text{a}'.repeat(n / 9 - 2),
    `${'1 or '.repeat(n / 5 - 2)}1`,
    `0.${'\\overline{3}'.repeat(n / 12 - 2)}`,
    `${'x+'.repeat(n / 2 - 5)}x`,
  ];
  for (const shape of shapes) {
    const t0 = performance.now();
    const r = verifyMath('1', `\\boxed{${shape}}`, { timeoutMs: 200, maxAnswerChars: 10_000 });
    assert.ok(['ok', 'wrong', 'unparseable', 'error'].includes(r.status));
    assert.ok(performance.now() - t0 < 200 + MARGIN_MS, shape.slice(0, 20));
  }
});

test('random byte soup never throws', () => {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const alphabet = '0123456789+-*/^_{}()[]\\|,.=<>!%$ abcxyz\\frac\\sqrt\\boxed\\pi\\left\\right';
  for (let k = 0; k < 300; k++) {
    let s = '';
    const len = Math.floor(rnd() * 80);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    const r = timed(s.slice(0, 20) || '1', s);
    assert.ok(['ok', 'wrong', 'unparseable', 'error'].includes(r.status));
  }
});

test('nested sums of 10^8 terms stop at the per-pair term limit instead of the clock', () => {
  const t0 = performance.now();
  const r = verifyMath('99980001', String.raw`\sum_{i=1}^{9999}\sum_{j=1}^{9999} 1`, { timeoutMs: 5000 });
  assert.equal(r.status, 'wrong');
  assert.ok(performance.now() - t0 < 2000);
});

test('a product of many matrices is left unevaluated, not multiplied out', () => {
  const m = String.raw`\begin{pmatrix}1&1\\1&0\end{pmatrix}`;
  const r = timed(m, `$${Array(60).fill(m).join(' ')}$`, 200, 10_000);
  assert.equal(r.status, 'wrong');
});

// A budget of 2 s: these scans take 1-80 ms alone, but the cores may be shared; a hang would still fail.
test('100k characters of answer phrases, digits and units of other scripts are scanned within the budget', () => {
  assert.equal(timed('42', `${'答案'.repeat(50000)}42`, 2000).status, 'ok');
  assert.equal(timed('42', 'ответ '.repeat(16000), 2000).status, 'unparseable');
  assert.equal(timed('42', `${'उत्तर '.repeat(16000)}४२`, 2000).status, 'ok');
  assert.equal(timed('42', '12米'.repeat(30000), 2000).status, 'wrong');
  assert.equal(timed('42', '٤'.repeat(100000), 2000).reason, 'answer_too_long');
});

test('many bare fractions, escaped box closers and prose math blocks are scanned within the budget', () => {
  assert.equal(timed('42', '\\frac{1}{2} '.repeat(8000), 2000).status, 'wrong');
  assert.equal(timed('42', '\\sqrt{'.repeat(15000), 2000).status, 'unparseable');
  assert.equal(timed('42', '\\boxed{42\\}'.repeat(5000), 2000).status, 'ok');
  assert.equal(timed('42', '$so roughly 7 $ '.repeat(6000), 2000).status, 'wrong');
  assert.equal(timed('1, 2', '\\boxed{1} then '.repeat(6000), 2000).status, 'wrong');
});
