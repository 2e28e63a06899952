import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractCode, normalizeOutput, parseReference } from '../src/index.js';

test('the last js-tagged block wins over earlier and untagged blocks', () => {
  const c =
    'a\n```\nuntagged\n```\n```js\nfirst\n```\ntext\n```javascript\nsecond\n```\n```\nlast untagged\n```';
  assert.deepEqual(extractCode(c), { code: 'second\n', tagLanguage: 'javascript', source: 'tagged_block' });
});

test('a ts or typescript tag marks the code as TypeScript', () => {
  assert.equal(extractCode('```ts\nconst x: number = 1;\n```')?.tagLanguage, 'typescript');
  assert.equal(extractCode('```typescript\nlet y = 2\n```')?.tagLanguage, 'typescript');
});

test('without a js/ts tag the last fenced block is used', () => {
  assert.deepEqual(extractCode('```\none\n```\nand\n```text\ntwo\n```'), {
    code: 'two\n',
    tagLanguage: null,
    source: 'last_block',
  });
});

test('without any fence the whole answer is the code', () => {
  assert.deepEqual(extractCode('  function f() { return 1; }  '), {
    code: 'function f() { return 1; }',
    tagLanguage: null,
    source: 'whole_answer',
  });
});

test('reasoning before </think> is ignored and <answer> is preferred', () => {
  const c = '<think>```js\nwrong()\n```</think><answer>```js\nright()\n```</answer>';
  assert.equal(extractCode(c)?.code, 'right()\n');
});

test('an unclosed fence (a completion cut at max tokens) runs to the end', () => {
  assert.equal(extractCode('text\n```js\nfunction f() {\n  return 1;')?.code, 'function f() {\n  return 1;');
});

test('an empty completion or only empty blocks give nothing', () => {
  assert.equal(extractCode(''), null);
  assert.equal(extractCode('   \n'), null);
  assert.equal(extractCode('```js\n\n```'), null);
  assert.equal(extractCode('<think>all reasoning, no answer</think>'), null);
});

test('output comparison ignores trailing spaces per line and trailing blank lines only', () => {
  assert.equal(normalizeOutput('1 2  \r\n3\t\n\n\n'), '1 2\n3');
  assert.notEqual(normalizeOutput(' 1'), normalizeOutput('1'));
  assert.equal(normalizeOutput(''), '');
});

test('each reference format parses into its tests', () => {
  assert.deepEqual(parseReference({ testCode: 'x' }, 10), {
    ok: true,
    tests: [{ kind: 'program', testCode: 'x' }],
  });
  assert.deepEqual(parseReference({ cases: [{ input: '1', output: '2' }] }, 10), {
    ok: true,
    tests: [{ kind: 'stdio', input: '1', output: '2' }],
  });
  assert.deepEqual(parseReference({ fnName: 'f', cases: [{ args: [1], expected: 2 }] }, 10), {
    ok: true,
    tests: [{ kind: 'call', fnName: 'f', args: [1], expected: 2 }],
  });
});

test('a bad reference names the offending field', () => {
  const cases: [unknown, number, string][] = [
    ['just a string', 10, 'reference'],
    [{ testCode: '' }, 10, 'reference.testCode'],
    [{}, 10, 'reference.cases'],
    [{ cases: [] }, 10, 'reference.cases'],
    [{ cases: [{ input: 1, output: '' }] }, 10, 'reference.cases[0].input'],
    [{ cases: [{ input: '', output: '' }, { input: '' }] }, 10, 'reference.cases[1].output'],
    [{ fnName: 'f(); evil', cases: [{ args: [], expected: 1 }] }, 10, 'reference.fnName'],
    [{ fnName: 'f', cases: [{ args: 1, expected: 1 }] }, 10, 'reference.cases[0].args'],
    [{ fnName: 'f', cases: [{ args: [] }] }, 10, 'reference.cases[0].expected'],
    [
      {
        cases: [
          { input: '', output: '' },
          { input: '', output: '' },
        ],
      },
      1,
      'reference.cases',
    ],
  ];
  for (const [ref, maxTests, field] of cases) {
    const r = parseReference(ref, maxTests);
    assert.equal(r.ok, false, JSON.stringify(ref));
    if (!r.ok) assert.equal(r.field, field, JSON.stringify(ref));
  }
});
