import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import {
  CodeParams,
  type CodeTestReport,
  closeSandboxPool,
  codeReward,
  createDefaultRegistry,
  type RewardItem,
} from '../src/index.js';

after(() => closeSandboxPool());

const params = (p: Partial<CodeParams> = {}) => Value.Default(CodeParams, structuredClone(p)) as CodeParams;
const item = (completion: string, reference: RewardItem['reference']): RewardItem => ({
  id: 'i',
  prompt: 'p',
  completion,
  reference,
});
const js = (code: string) => `\`\`\`js\n${code}\n\`\`\``;
const tests = (r: { details?: Record<string, unknown> }) => r.details?.tests as CodeTestReport[];
const score = (completion: string, reference: RewardItem['reference'], p: Partial<CodeParams> = {}) =>
  Promise.resolve(codeReward.score(item(completion, reference), params(p), {}));

const addRef = {
  fnName: 'add',
  cases: [
    { args: [1, 2], expected: 3 },
    { args: [-1, 1], expected: 0 },
    { args: [2, 2], expected: 4 },
  ],
};

test('code is registered in the default registry as an async function', () => {
  const fn = createDefaultRegistry().get('code');
  assert.equal(fn?.kind, 'async');
  assert.deepEqual(createDefaultRegistry().resolve([{ name: 'code' }])[0]?.params, params());
});

test('function-call cases that all pass score 1 with status ok', async () => {
  const r = await score(js('function add(a, b) { return a + b; }'), addRef);
  assert.equal(r.status, 'ok');
  assert.equal(r.score, 1);
  assert.deepEqual(
    tests(r).map((t) => t.status),
    ['passed', 'passed', 'passed'],
  );
  assert.equal(r.details?.passed, 3);
});

test('a partly wrong function scores its pass rate, with the failing call in the message', async () => {
  const r = await score(js('function add(a, b) { return a > 0 ? a + b : 7; }'), addRef);
  assert.equal(r.status, 'wrong');
  assert.equal(r.reason, 'failed');
  assert.equal(r.score, 2 / 3);
  assert.equal(tests(r)[1]?.message, 'add(-1,1) returned 7, expected 0');
});

test('all_or_nothing gives 0 unless every test passes', async () => {
  const r = await score(js('function add(a, b) { return a > 0 ? a + b : 7; }'), addRef, {
    scoring: 'all_or_nothing',
  });
  assert.equal(r.score, 0);
  assert.equal(r.status, 'wrong');
});

test('function-call results are compared by deep equality, not identity or loose equality', async () => {
  const ref = {
    fnName: 'f',
    cases: [
      { args: [], expected: { a: [1, 2] } },
      { args: [], expected: '1' },
    ],
  };
  const r = await score(js('let n = 0; function f() { return n++ === 0 ? { a: [1, 2] } : 1; }'), ref);
  assert.deepEqual(
    tests(r).map((t) => t.status),
    ['passed', 'failed'],
  );
});

test('stdin/stdout cases pass when output matches up to trailing whitespace', async () => {
  const ref = {
    cases: [
      { input: '2 3\n', output: '5\n' },
      { input: '10 -4', output: '6' },
      { input: '1 1', output: '3' },
    ],
  };
  const code =
    "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b + '   ');";
  const r = await score(js(code), ref);
  assert.deepEqual(
    tests(r).map((t) => t.status),
    ['passed', 'passed', 'failed'],
  );
  assert.equal(tests(r)[2]?.message, 'expected output "3", got "2"');
});

test('an assert-style test program that fails reports the assertion message', async () => {
  const testCode =
    "const assert = require('node:assert');\nassert.deepEqual(double(2), 4);\nassert.deepEqual(double(3), 6);";
  const r = await score(js('function double(x) { return x === 3 ? 7 : 2 * x; }'), { testCode });
  assert.equal(r.status, 'wrong');
  assert.equal(tests(r)[0]?.status, 'failed');
  assert.equal(
    tests(r)[0]?.message,
    'AssertionError: Expected values to be loosely deep-equal:\n\n7\n\nshould loosely deep-equal\n\n6',
  );
});

test('a solution that exits before the test program runs does not pass', async () => {
  const testCode = "const assert = require('node:assert');\nassert.equal(f(), 2);";
  const r = await score(js('function f() { return 1; }\nprocess.exit(0);'), { testCode });
  assert.equal(tests(r)[0]?.status, 'failed');
  assert.match(tests(r)[0]?.message ?? '', /exited before the tests finished/);
});

test('a runtime error is runtime_error', async () => {
  const r = await score(js('function add(a, b) { return a.b.c; }'), addRef);
  assert.equal(tests(r)[0]?.status, 'runtime_error');
  assert.match(tests(r)[0]?.message ?? '', /^TypeError: Cannot read properties of undefined/);
});

test('an infinite loop is timeout', async () => {
  const r = await score(
    js('function add() { for (;;); }'),
    { fnName: 'add', cases: [{ args: [], expected: 1 }] },
    { timeoutMs: 200 },
  );
  assert.equal(r.reason, 'timeout');
  assert.equal(tests(r)[0]?.status, 'timeout');
});

test('a heap bomb is memory', async () => {
  const code = 'function add() { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }';
  const r = await score(
    js(code),
    { fnName: 'add', cases: [{ args: [], expected: 1 }] },
    { memoryLimitMb: 16, timeoutMs: 5000 },
  );
  assert.equal(tests(r)[0]?.status, 'memory');
});

test('flooding stdout is output_limit', async () => {
  const r = await score(
    js('for (;;) console.log(1);'),
    { cases: [{ input: '', output: '1' }] },
    { maxOutputChars: 100 },
  );
  assert.equal(tests(r)[0]?.status, 'output_limit');
});

test('a syntax error is compile_error for every test', async () => {
  const r = await score(js('function add(a, b) { return a + ; }'), addRef);
  assert.equal(r.score, 0);
  assert.deepEqual(
    tests(r).map((t) => t.status),
    ['compile_error', 'compile_error', 'compile_error'],
  );
});

test('a TypeScript solution runs when the fence says ts', async () => {
  const r = await score('```ts\nfunction add(a: number, b: number): number { return a + b; }\n```', addRef);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.language, 'typescript');
});

test('language: typescript forces transpiling an untagged block, and bad TypeScript is compile_error', async () => {
  const ok = await score('```\nconst add = (a: number, b: number) => a + b;\n```', addRef, {
    language: 'typescript',
  });
  assert.equal(ok.score, 1);
  const bad = await score('```ts\nconst add = (a: number, b: number) => a + ;\n```', addRef);
  assert.equal(tests(bad)[0]?.status, 'compile_error');
});

test('a completion without code is unparseable', async () => {
  const r = await score('<think>hmm</think>', addRef);
  assert.deepEqual(r, { score: 0, status: 'unparseable', reason: 'no_code' });
});

test("a bad reference is an error naming the field, not the model's fault", async () => {
  const r = await score(js('1'), { cases: [{ input: 1 }] });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'bad_reference');
  assert.equal(r.details?.field, 'reference.cases[0].input');
});

test('a request deadline already past gives error timeout without running anything', async () => {
  const r = await codeReward.score(item(js('1'), addRef), params(), { deadlineMs: Date.now() - 1 });
  assert.deepEqual(r, { score: 0, status: 'error', reason: 'timeout' });
});

test('a test cut short by the request deadline is an error, not a wrong answer', async () => {
  const r = await codeReward.score(item(js('function add() { for (;;); }'), addRef), params(), {
    deadlineMs: Date.now() + 300,
  });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'timeout');
});

test('invalid params are rejected by the registry naming the param', () => {
  assert.throws(
    () => createDefaultRegistry().resolve([{ name: 'code', params: { scoring: 'most' } }]),
    (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.scoring',
  );
});

test('escape and exhaustion attempts in completions end as wrong with a clear status, and scoring goes on', async () => {
  const ref = { fnName: 'f', cases: [{ args: [], expected: 1 }] };
  const attacks: [string, string][] = [
    [
      "function f() { return this.constructor.constructor('return process')().mainModule.require('fs'); }",
      'runtime_error',
    ],
    ["function f() { return require('child_process').execSync('id').toString(); }", 'runtime_error'],
    ['function f() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }', 'timeout'],
    ['function f() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }', 'memory'],
    ["function f() { for (;;) console.log('x'.repeat(1e4)); }", 'output_limit'],
    ["Error.prepareStackTrace = () => { for (;;); }; function f() { throw new Error('x'); }", 'timeout'],
    ['function require() { return { deepEqual() {} }; } function f() { return 2; }', 'runtime_error'],
  ];
  const results = await Promise.all(
    attacks.map(([code]) =>
      score(js(code), ref, { timeoutMs: 300, memoryLimitMb: 16, maxOutputChars: 1000 }),
    ),
  );
  results.forEach((r, i) => {
    assert.equal(r.status, 'wrong', attacks[i]?.[0]);
    assert.equal(tests(r)[0]?.status, attacks[i]?.[1], `${attacks[i]?.[0]}: ${tests(r)[0]?.message}`);
  });
  const ok = await score(js('function add(a, b) { return a + b; }'), addRef);
  assert.equal(ok.score, 1);
});

test('a solution that declares the same names as the test program still runs its tests', async () => {
  const testCode =
    "const assert = require('node:assert');\nfunction test() { assert.equal(sq(3), 9); }\ntest();";
  const solution =
    "const assert = require('assert');\nfunction sq(x) { return x * x; }\nfunction test() { assert.equal(sq(2), 4); }\ntest();";
  const good = await score(js(solution), { testCode });
  assert.equal(good.status, 'ok', JSON.stringify(good.details));
  const bad = await score(js(solution.replace('x * x', 'x === 3 ? 10 : x * x')), { testCode });
  assert.equal(tests(bad)[0]?.status, 'failed');
  assert.equal(tests(bad)[0]?.message, 'AssertionError: 10 == 9');
});

test('cpuTimeMs passes through to the sandbox and a busy solution over it is timeout', async () => {
  const code = 'function add(a, b) { const t = Date.now(); while (Date.now() - t < 200); return a + b; }';
  const r = await score(
    js(code),
    { fnName: 'add', cases: [{ args: [1, 2], expected: 3 }] },
    { cpuTimeMs: 20, timeoutMs: 5000 },
  );
  assert.equal(tests(r)[0]?.status, 'timeout');
  assert.match(tests(r)[0]?.message ?? '', /CPU time limit of 20 ms/);
});
