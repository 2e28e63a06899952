import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SandboxError, SandboxPool } from '@grpo/sandbox';

// One worker, so that consecutive programs share (and must not see each other in) one interpreter.
let pool: SandboxPool;
before(async () => {
  pool = new SandboxPool({ workers: 1, bootPython: true });
  await pool.ready({ python: true });
});
after(() => pool.close());

const py = (code: string, extra: Record<string, unknown> = {}) =>
  pool.run({ language: 'python', code, timeoutMs: 5000, ...extra });

test('a program runs with stdin and its output, value and statuses come back', async () => {
  const r = await py('a, b = map(int, input().split())\nprint(a + b)', { stdin: '2 3\n' });
  assert.equal(r.status, 'ok');
  assert.equal(r.stdout, '5\n');
  const v = await py('def f(x):\n    return {"k": [x, None, 1.5]}', {
    epilogue: { resultExpression: 'f(2)' },
  });
  assert.equal(v.completed, true);
  assert.deepEqual(JSON.parse(v.value as string), { k: [2, null, 1.5] });
  const e = await py('def f():\n    return 1 / 0\nf()');
  assert.equal(e.status, 'error');
  assert.equal(e.error?.name, 'ZeroDivisionError');
  assert.match(e.error?.traceback ?? '', /File "<solution>", line 2, in f\n {4}return 1 \/ 0/);
  const c = await py('print("unclosed');
  assert.equal(c.status, 'compile_error');
  assert.equal(c.error?.name, 'SyntaxError');
});

test('nothing a program does reaches the next program', async () => {
  const dirty = await py(`
import sys, os, builtins, math, json
sys.setrecursionlimit(50)
builtins.len = lambda x: 42
builtins.leaked = 'yes'
math.pi = 3
json.dumps = None
sys.modules['evil'] = object()
sys.path.insert(0, '/nowhere')
os.environ['LEAK'] = '1'
os.chdir('/tmp')
open('/tmp/leak.txt', 'w').write('x')
os.mkdir('/tmp/leakdir')
leak_global = 1
sys.stdout = None
`);
  assert.equal(dirty.status, 'ok', JSON.stringify(dirty));
  const clean = await py(`
import sys, os, builtins, math, json
assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()
assert len([1]) == 1
assert not hasattr(builtins, 'leaked')
assert math.pi > 3.14
assert json.dumps([1]) == '[1]'
assert 'evil' not in sys.modules
assert '/nowhere' not in sys.path
assert 'LEAK' not in os.environ
assert os.getcwd() == '/home/pyodide', os.getcwd()
assert not os.path.exists('/tmp/leak.txt') and not os.path.exists('/tmp/leakdir')
assert 'leak_global' not in globals()
print('clean')
`);
  assert.equal(clean.status, 'ok', JSON.stringify(clean));
  assert.equal(clean.stdout, 'clean\n');
});

test('tests of one job: each from a fresh namespace, with its own stdin, code and value', async () => {
  const r = await py(
    'import sys\ncount = 0\ndef bump():\n    global count\n    count += 1\n    return count\nline = sys.stdin.readline().strip()',
    {
      tests: [
        { stdin: 'first\n', resultExpression: '[bump(), line]' },
        { stdin: 'second\n', resultExpression: '[bump(), line]' },
        { code: 'assert bump() == 2' },
        { code: 'def broken(:' },
      ],
    },
  );
  const t = r.tests ?? [];
  assert.deepEqual(JSON.parse(t[0]?.value as string), [1, 'first']);
  assert.deepEqual(JSON.parse(t[1]?.value as string), [1, 'second']);
  assert.equal(t[2]?.status, 'error');
  assert.equal(t[2]?.error?.name, 'AssertionError');
  assert.equal(t[3]?.error?.name, 'TestSyntaxError');
  assert.equal(r.status, 'error');
});

test('a program that hangs past the soft deadline times out and the next program runs fresh', async () => {
  const hang = await py('while True:\n    try:\n        while True: pass\n    except BaseException: pass', {
    timeoutMs: 300,
  });
  assert.equal(hang.status, 'timeout');
  const next = await py('import sys\nprint(sys.getrecursionlimit())');
  assert.equal(next.status, 'ok');
  assert.equal(next.stdout, '1000\n');
});

test('the wasm heap is capped per program: a bomb is `memory`, a small program after it is fine', async () => {
  const bomb = await py('x = bytearray(200 * 1024 * 1024)', { memoryLimitMb: 64 });
  assert.equal(bomb.status, 'memory');
  const ok = await py('x = bytearray(40 * 1024 * 1024)\nprint(len(x))', { memoryLimitMb: 64 });
  assert.equal(ok.status, 'ok');
});

test('the tests interface is language-generic: JavaScript runs each test as its own job', async () => {
  const r = await pool.run({
    language: 'javascript',
    code: 'const add = (a, b) => a + b;',
    tests: [{ resultExpression: 'add(1, 2)' }, { code: "require('assert').equal(add(1, 1), 3)" }],
  });
  assert.equal(r.tests?.[0]?.value, '3');
  assert.equal(r.tests?.[1]?.error?.name, 'AssertionError');
});

test('bad tests are refused with the field named', async () => {
  await assert.rejects(
    pool.run({ language: 'python', code: '', tests: [] }),
    (e: unknown) => e instanceof SandboxError && e.field === 'tests',
  );
  await assert.rejects(
    pool.run({ language: 'python', code: '', tests: [{ stdin: 3 as unknown as string }] }),
    (e: unknown) => e instanceof SandboxError && e.field === 'tests[0].stdin',
  );
  await assert.rejects(
    pool.run({ language: 'ruby' as 'python', code: '' }),
    (e: unknown) => e instanceof SandboxError && e.field === 'language',
  );
});
