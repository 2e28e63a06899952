import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SandboxPool } from '@grpo/sandbox';
import { Value } from '@sinclair/typebox/value';
import { outputsMatch, parseReference } from '../src/code/reference.js';
import { CodeParams, extractCode, scoreCode } from '../src/index.js';
import { asPythonCompletion, pythonTasks } from './fixtures/code/python-tasks.js';

let pool: SandboxPool;
before(async () => {
  pool = new SandboxPool({ workers: 2, bootPython: true });
  await pool.ready({ python: true });
});
after(() => pool.close());
// Generous limits: the machine running the suite is shared.
const params = Value.Default(CodeParams, { timeoutMs: 5000 }) as CodeParams;
const score = (code: string, reference: unknown, p: Partial<CodeParams> = {}) =>
  scoreCode(
    { id: 't', prompt: '', completion: asPythonCompletion(code), reference },
    { ...params, ...p },
    {},
    pool,
  );

for (const t of pythonTasks) {
  test(`${t.id}: the correct solution passes every test`, async () => {
    const r = await score(t.correct, t.reference);
    assert.equal(r.status, 'ok', JSON.stringify(r.details));
    assert.equal(r.score, 1);
    assert.equal((r.details as { language: string }).language, 'python');
  });
  test(`${t.id}: the wrong solution fails`, async () => {
    const r = await score(t.wrong, t.reference);
    assert.equal(r.status, 'wrong', JSON.stringify(r.details));
    assert.ok(r.score < 1);
    assert.equal(r.reason, 'failed', JSON.stringify(r.details));
  });
}

const humanEval = pythonTasks[0] as (typeof pythonTasks)[0];
const twoSum = pythonTasks.find((t) => t.id.startsWith('LeetCode/1')) as (typeof pythonTasks)[0];
const stdin = pythonTasks.find((t) => t.id.startsWith('APPS')) as (typeof pythonTasks)[0];

const fakes: [string, string][] = [
  ['sys.exit(0) before the tests', 'import sys\nsys.exit(0)'],
  ['os._exit(0) before the tests', 'import os\nos._exit(0)'],
  ['raise SystemExit', 'raise SystemExit(0)'],
  [
    'a check() of its own',
    'def check(candidate):\n    pass\ndef has_close_elements(n, t):\n    return False',
  ],
  [
    'builtins.AssertionError replaced',
    'import builtins\nbuiltins.AssertionError = type("A", (Exception,), {})\ndef has_close_elements(n, t):\n    return False',
  ],
  [
    'builtins.abs rebound',
    'import builtins\nbuiltins.abs = lambda x: 0\ndef has_close_elements(n, t):\n    return True',
  ],
  [
    'an atexit hook',
    'import atexit\natexit.register(lambda: None)\ndef has_close_elements(n, t):\n    return False',
  ],
  ['a thread', 'import threading\nthreading.Thread(target=lambda: None).start()'],
  [
    'an object whose __eq__ is always True',
    'class T:\n    def __eq__(self, o): return True\ndef has_close_elements(n, t):\n    return T()',
  ],
];
for (const [name, code] of fakes) {
  test(`a wrong HumanEval solution cannot pass with ${name}`, async () => {
    const r = await score(code, humanEval.reference);
    assert.notEqual(r.status, 'ok', JSON.stringify(r.details));
    assert.equal(r.score, 0);
  });
}

test('a call result compared as JSON: an always-equal object or a near value does not pass', async () => {
  const eq = await score(
    'class T(list):\n    def __eq__(self, o): return True\nclass Solution:\n    def twoSum(self, nums, target):\n        return T()',
    twoSum.reference,
  );
  assert.equal(eq.score, 0);
  const tuple = await score(
    'class Solution:\n    def twoSum(self, nums, target):\n        return (0, 1)',
    twoSum.reference,
  );
  assert.equal((tuple.details as { passed: number }).passed, 2, 'a tuple is a JSON array: [0, 1] cases pass');
});

test('stdin/stdout: a program that prints the answer then exits 0 passes; one that prints more lines fails', async () => {
  const exits = await score(`${stdin.correct}\nimport sys\nsys.exit(0)\n`, stdin.reference);
  assert.equal(exits.status, 'ok', JSON.stringify(exits.details));
  const extra = await score(`${stdin.correct}\nprint()\nprint('extra')\n`, stdin.reference);
  assert.equal(extra.score, 0);
});

test('the statuses of broken programs are reported per test', async () => {
  const syntax = await score('def f(:', humanEval.reference);
  assert.equal(syntax.reason, 'compile_error');
  const crash = await score('def has_close_elements(n, t):\n    return n[100]', humanEval.reference);
  assert.equal(crash.reason, 'runtime_error');
  assert.match((crash.details as { tests: { message: string }[] }).tests[0]?.message ?? '', /IndexError/);
  const loop = await score('def has_close_elements(n, t):\n    while True: pass', humanEval.reference, {
    timeoutMs: 300,
  });
  assert.equal(loop.reason, 'timeout');
  const bomb = await score('def has_close_elements(n, t):\n    return bytearray(10**9)', humanEval.reference);
  assert.equal(bomb.reason, 'memory');
  const flood = await score('while True: print("x" * 100)', stdin.reference, { maxOutputChars: 1000 });
  assert.equal(flood.reason, 'output_limit');
});

test('language: detected from the ```python fence, or given as a param', () => {
  assert.equal(extractCode('```python\nprint(1)\n```')?.tagLanguage, 'python');
  assert.equal(extractCode('```py\nprint(1)\n```')?.tagLanguage, 'python');
  assert.equal(extractCode('```\nprint(1)\n```')?.tagLanguage, null);
});

test('python-only reference formats are refused for JavaScript, naming the field', () => {
  const r = parseReference({ testList: ['assert f(1) == 1'] }, 100, 'javascript');
  assert.deepEqual(r.ok ? null : r.field, 'reference.testList');
  const bad = parseReference({ fnName: 'a.b.c', cases: [{ args: [], expected: 1 }] }, 100, 'python');
  assert.equal(bad.ok ? null : bad.field, 'reference.fnName');
  const none = parseReference({ pytestCode: 'def helper():\n    pass\n' }, 100, 'python');
  assert.equal(none.ok ? null : none.field, 'reference.pytestCode');
});

test('outputsMatch: LiveCodeBench-style comparison', () => {
  assert.equal(outputsMatch('1 2\n3\n\n', '1 2\n3'), true);
  assert.equal(outputsMatch('1 2  \r\n3', '1 2\n3\n'), true);
  assert.equal(outputsMatch('0.3333333', '0.33333333'), true);
  assert.equal(outputsMatch('0.33', '0.34'), false);
  assert.equal(outputsMatch('YES', 'yes'), false);
  assert.equal(outputsMatch('1 2 3', '3 2 1'), false);
  assert.equal(outputsMatch('1\n2', '1 2'), false);
  assert.equal(outputsMatch('', '0'), false);
});
