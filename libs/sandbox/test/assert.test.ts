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
