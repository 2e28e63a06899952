import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { CodeParams, closeSandboxPool, codeReward } from '../src/index.js';
import { asCompletion, humanEvalProblems } from './fixtures/code/humaneval-js.js';

after(() => closeSandboxPool());
const params = Value.Default(CodeParams, {}) as CodeParams;

for (const p of humanEvalProblems) {
  test(`${p.taskId}: the correct solution passes its MultiPL-E tests`, async () => {
    const r = await codeReward.score(
      { id: p.taskId, prompt: '', completion: asCompletion(p.correct), reference: { testCode: p.testCode } },
      params,
      {},
    );
    assert.equal(r.status, 'ok', JSON.stringify(r.details));
    assert.equal(r.score, 1);
  });
  test(`${p.taskId}: the wrong solution fails with an AssertionError`, async () => {
    const r = await codeReward.score(
      { id: p.taskId, prompt: '', completion: asCompletion(p.wrong), reference: { testCode: p.testCode } },
      params,
      {},
    );
    assert.equal(r.status, 'wrong');
    assert.equal(r.score, 0);
    assert.equal(r.reason, 'failed', JSON.stringify(r.details));
  });
}

test('a batch of all twenty completions scores in parallel with the expected totals', async () => {
  const items = humanEvalProblems.flatMap((p) =>
    (['correct', 'wrong'] as const).map((k) => ({
      id: `${p.taskId}-${k}`,
      prompt: '',
      completion: asCompletion(p[k]),
      reference: { testCode: p.testCode },
    })),
  );
  const results = await Promise.all(items.map((it) => codeReward.score(it, params, {})));
  assert.equal(
    results.reduce((s, r) => s + r.score, 0),
    humanEvalProblems.length,
  );
});
