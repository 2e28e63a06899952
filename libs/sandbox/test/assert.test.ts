import nodeAssert from 'node:assert';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SandboxPool } from '../src/index.js';

const pool = new SandboxPool({ workers: 1 });
after(() => pool.close());

/**
 * Each case is source text that runs both here (against Node's own assert) and in the
 * sandbox; the sandbox must throw the same error name and message.
 */
const cases = [
  'assert.equal(1, 2)',
  "assert.equal('a', 'b')",
  'assert.notEqual(1, 1)',
  'assert.strictEqual(1, 2)',
  "assert.strictEqual('a', 'b')",
  "assert.strictEqual(1, '1')",
  "assert.strictEqual('hello world', 'hello there')",
  'assert.strictEqual(1.5, NaN)',
  'assert.strictEqual(0, -0)',
  'assert.strictEqual([1], [1])',
  'assert.notStrictEqual(1, 1)',
  'assert.deepEqual([1, 2], [1, 3])',
  'assert.deepEqual({ a: 1 }, { a: 2 })',
  'assert.deepEqual([1, [2, 3]], [1, [2, 4]])',
  'assert.deepEqual(3, 4)',
  'assert.deepStrictEqual([1, 2], [1, 3])',
  'assert.deepStrictEqual([1, 2, 3], [1, 2])',
  'assert.deepStrictEqual({ a: 1, b: 2 }, { a: 1, b: 3 })',
  "assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 2], b: 'x' })",
  'assert.deepStrictEqual(1, 2)',
  "assert.deepStrictEqual('ab', 'ac')",
  'assert.deepStrictEqual([1], [1, 2, 3, 4])',
  'assert.notDeepStrictEqual([1], [1])',
  'assert.notDeepEqual([1], [1])',
  'assert.equal({ a: 1 }, { a: 1 })',
  'assert.ok(false)',
  'assert(0)',
  'assert.fail()',
  "assert.fail('boom')",
  "assert.equal(1, 2, 'custom message')",
  "assert.match('abc', /x/)",
  "assert.doesNotMatch('abc', /b/)",
  'assert.throws(() => {})',
  'assert.throws(() => {}, TypeError)',
  "assert.throws(() => {}, TypeError, 'msg')",
  "assert.throws(() => { throw new Error('boom'); }, /bang/)",
  "assert.doesNotThrow(() => { throw new Error('e'); })",
  "assert.doesNotThrow(() => { throw new Error('e'); }, 'why')",
  'assert.strict.equal(1, 2)',
  'assert.strict.deepEqual([1, 2], [1, 3])',
  "assert.deepStrictEqual(new Map([['a', 1]]), new Map([['a', 2]]))",
  'assert.deepStrictEqual(new Set([1, 2]), new Set([1, 3]))',
  // Node 22+ wording: short strings, long diffs collapsed to '...', same structure past 50 lines.
  "assert.strictEqual('abcde', 'abcdf')",
  "assert.strictEqual('a'.repeat(30) + 'b', 'a'.repeat(30) + 'c')",
  'assert.strictEqual(12345678, 12345679)',
  'assert.deepStrictEqual(Array.from({ length: 30 }, (_, i) => i), Array.from({ length: 30 }, (_, i) => (i === 15 ? -1 : i)))',
  'assert.deepStrictEqual(Array.from({ length: 80 }, (_, i) => i), Array.from({ length: 80 }, (_, i) => i + 1))',
  "assert.deepStrictEqual(Array.from({ length: 12 }, (_, i) => 'item' + i), Array.from({ length: 12 }, (_, i) => (i % 11 ? 'item' + i : 'z')))",
  'assert.strictEqual(Array.from({ length: 80 }, (_, i) => i), Array.from({ length: 80 }, (_, i) => i))',
  "assert.deepStrictEqual({ a: 1, b: { c: [1, 2, 3], d: 'x' }, e: null }, { a: 1, b: { c: [1, 2, 4], d: 'x' }, e: null })",
  "assert.deepStrictEqual('line1\\nline2', 'line1\\nline3')",
];

function hostError(src: string): { name: string; message: string } {
  try {
    new Function('assert', src)(nodeAssert);
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error(`host assertion passed: ${src}`);
}

for (const src of cases) {
  test(`the sandbox's assert matches Node's message for ${src}`, async () => {
    const r = await pool.run({ code: `const assert = require('node:assert');\n${src};` });
    assert.equal(r.status, 'error');
    assert.deepEqual(r.error, hostError(src));
  });
}

test('passing assertions of every kind leave the program running to its end', async () => {
  const code = `
const assert = require('assert');
assert.equal(1, '1'); assert.notEqual(1, 2); assert.strictEqual(NaN, NaN); assert.notStrictEqual(1, '1');
assert.deepEqual({ a: [1, { b: '2' }] }, { a: [1, { b: 2 }] }); assert.deepStrictEqual(new Map([[1, { x: [1] }]]), new Map([[1, { x: [1] }]]));
assert.notDeepEqual([1], [2]); assert.notDeepStrictEqual([1], ['1']); assert.ok(1); assert(true);
assert.throws(() => { throw new TypeError('t'); }, TypeError); assert.throws(() => { throw new Error('abc'); }, /abc/);
assert.throws(() => { throw new Error('m'); }, { message: 'm' }); assert.doesNotThrow(() => 1);
assert.match('abc', /b/); assert.doesNotMatch('abc', /x/); assert.ifError(null);
assert.deepStrictEqual(new Set([{ a: 1 }]), new Set([{ a: 1 }])); assert.deepEqual(new Date(0), new Date(0));
`;
  const r = await pool.run({ code, epilogue: {} });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.completed, true);
});

test('every documented require path gives the assert module, strict where asked', async () => {
  const code = `
const a = require('assert'), b = require('node:assert'), s = require('assert').strict, t = require('node:assert/strict'), u = require('assert/strict');
if (a !== b || s !== t || t !== u || a === s || a.strict !== s) throw new Error('wrong modules');
let strictOk = false; try { s.equal(1, '1'); } catch (e) { strictOk = e.name === 'AssertionError'; }
if (!strictOk) throw new Error('strict.equal is loose');
a.equal(1, '1');
console.log(typeof a.AssertionError, new a.AssertionError({ message: 'm' }).code);
`;
  const r = await pool.run({ code });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.stdout, 'function ERR_ASSERTION\n');
});

test('assert.rejects that fails after the program ends still fails the run', async () => {
  const r = await pool.run({ code: "require('assert').rejects(Promise.resolve(1));" });
  assert.equal(r.status, 'error');
  assert.deepEqual(r.error, { name: 'AssertionError', message: 'Missing expected rejection.' });
});

test('assert.rejects accepts a matching rejection', async () => {
  const r = await pool.run({
    code: "const assert = require('assert'); assert.rejects(async () => { throw new TypeError('x'); }, TypeError).then(() => console.log('ok'));",
  });
  assert.equal(r.status, 'ok', r.error?.message);
  assert.equal(r.stdout, 'ok\n');
});

test('a solution that patches built-ins cannot make a failing assertion pass', async () => {
  const code = `
Object.is = () => true; Object.keys = () => []; Array.isArray = () => false; Object.getPrototypeOf = () => null;
const assert = require('node:assert');
assert.deepStrictEqual([1, 2], [1, 3]);`;
  const r = await pool.run({ code });
  assert.equal(r.status, 'error');
  assert.equal(r.error?.name, 'AssertionError');
});

test("the sandbox's assert matches Node's messages on every pair of a grid of values and operators", async () => {
  const values = [
    '1',
    "'abcde'",
    "'abcdf'",
    "'a'.repeat(30) + 'b'",
    "'a'.repeat(30) + 'c'",
    "'x'.repeat(50) + '1'",
    "'x'.repeat(50) + '2'",
    '0',
    '-0',
    'NaN',
    'null',
    'undefined',
    '[1, 2, 3]',
    '[1, 2, 4]',
    '[1, 2]',
    '{ a: 1, b: 2 }',
    '{ a: 1, b: 3 }',
    'Array.from({ length: 30 }, (_, i) => i)',
    'Array.from({ length: 30 }, (_, i) => (i === 15 ? -1 : i))',
    'Array.from({ length: 80 }, (_, i) => i + 1)',
    '[[1, 2], [3, 4]]',
    '[[1, 2], [3, 5]]',
    "new Map([['a', 1], ['b', 2]])",
    "new Map([['a', 1], ['b', 3]])",
    'true',
    "'true'",
    '[{ x: 1, y: 2 }, { x: 3, y: 4 }]',
    '[{ x: 1, y: 2 }, { x: 3, y: 5 }]',
  ];
  const ops = [
    'strictEqual',
    'deepStrictEqual',
    'deepEqual',
    'equal',
    'notStrictEqual',
    'notDeepStrictEqual',
  ];
  const mismatches: string[] = [];
  let compared = 0;
  for (const op of ops) {
    for (let i = 0; i < values.length; i++) {
      for (const j of [i - 1, i, i + 1]) {
        if (j < 0 || j >= values.length) continue;
        const src = `assert.${op}(${values[i]}, ${values[j]})`;
        let host: { name: string; message: string } | null = null;
        try {
          new Function('assert', src)(nodeAssert);
        } catch (e) {
          host = { name: (e as Error).name, message: (e as Error).message };
        }
        if (!host) continue;
        compared++;
        const r = await pool.run({ code: `const assert = require('node:assert');\n${src};` });
        if (JSON.stringify(r.error) !== JSON.stringify(host)) mismatches.push(src);
      }
    }
  }
  assert.ok(compared > 200, `only ${compared} failing assertions compared`);
  assert.deepEqual(mismatches, []);
});
