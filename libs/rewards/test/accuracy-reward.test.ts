import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, createDefaultRegistry, type RewardItem, RewardSpecError } from '../src/index.js';

const item = (completion: string, reference?: RewardItem['reference']): RewardItem => ({
  id: 'a',
  prompt: 'p',
  completion,
  ...(reference === undefined ? {} : { reference }),
});

function score(it: RewardItem, params: Record<string, unknown> = {}) {
  const [spec] = createDefaultRegistry().resolve([{ name: 'accuracy', params }]);
  return accuracy.score(it, spec!.params as never, {});
}

test('accuracy is registered in the default registry as a cpu function', () => {
  const fn = createDefaultRegistry().get('accuracy');
  assert.equal(fn?.kind, 'cpu');
});

test('a right answer scores 1 with status ok and details', () => {
  const r = score(item(String.raw`so \boxed{\frac{1}{2}}`, '0.5'));
  assert.equal(r.score, 1);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.extracted, String.raw`\frac{1}{2}`);
  assert.equal(r.details?.method, 'boxed');
  assert.equal(r.details?.rule, 'exact');
});

test('a wrong answer scores 0 with status wrong', () => {
  const r = score(item(String.raw`\boxed{3}`, '4'));
  assert.deepEqual([r.score, r.status], [0, 'wrong']);
});

test('a completion without an answer is unparseable with reason no_answer', () => {
  const r = score(item('I give up.', '4'));
  assert.deepEqual([r.score, r.status, r.reason], [0, 'unparseable', 'no_answer']);
});

test("an unparseable reference is an error, not the model's fault", () => {
  const r = score(item(String.raw`\boxed{4}`, String.raw`\frac{`));
  assert.deepEqual([r.score, r.status, r.reason], [0, 'error', 'bad_reference']);
});

test('a reference given as {answer} is read', () => {
  assert.equal(score(item(String.raw`\boxed{4}`, { answer: '4' })).status, 'ok');
});

test('an item without a reference is not_applicable', () => {
  assert.equal(score(item(String.raw`\boxed{4}`)).status, 'not_applicable');
});

test('the last-number fallback param switches off the fallback', () => {
  assert.equal(score(item('it is 4', '4')).status, 'ok');
  assert.equal(score(item('it is 4', '4'), { lastNumberFallback: false }).status, 'unparseable');
});

test('the floatTolerance param loosens numeric comparison', () => {
  // 3.141 is no correct rounding of pi (3.142), so only the tolerance accepts it.
  assert.equal(score(item(String.raw`\boxed{3.141}`, String.raw`\pi`)).status, 'wrong');
  assert.equal(
    score(item(String.raw`\boxed{3.141}`, String.raw`\pi`), { floatTolerance: 0.001 }).status,
    'ok',
  );
});

test('the equationRhs param can require the bare value', () => {
  assert.equal(score(item(String.raw`\boxed{x=2}`, '2')).status, 'ok');
  assert.equal(score(item(String.raw`\boxed{x=2}`, '2'), { equationRhs: false }).status, 'wrong');
});

test('the strictPercent param only accepts the fraction for a percentage', () => {
  assert.equal(score(item(String.raw`\boxed{50}`, String.raw`50\%`)).status, 'ok');
  assert.equal(
    score(item(String.raw`\boxed{50}`, String.raw`50\%`), { strictPercent: true }).status,
    'wrong',
  );
  assert.equal(score(item(String.raw`\boxed{0.5}`, String.raw`50\%`), { strictPercent: true }).status, 'ok');
});

test('the context deadline applies when it is earlier than timeoutMs', () => {
  const [spec] = createDefaultRegistry().resolve([{ name: 'accuracy' }]);
  const r = accuracy.score(item(String.raw`\boxed{4}`, '4'), spec!.params as never, {
    deadlineMs: Date.now() - 5,
  });
  assert.deepEqual([r.status, r.reason], ['error', 'timeout']);
});

test('an out-of-range timeoutMs is rejected naming the param', () => {
  assert.throws(
    () => createDefaultRegistry().resolve([{ name: 'accuracy', params: { timeoutMs: 0 } }]),
    (e: unknown) => e instanceof RewardSpecError && e.field === 'rewards[0].params.timeoutMs',
  );
});

test('an unknown param is rejected', () => {
  assert.throws(
    () => createDefaultRegistry().resolve([{ name: 'accuracy', params: { tolerance: 1 } }]),
    RewardSpecError,
  );
});
