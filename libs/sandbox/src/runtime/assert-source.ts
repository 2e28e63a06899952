/**
 * In-isolate source: Node's `assert` module (legacy and strict modes) with `AssertionError`
 * messages in the format of Node 22/24's `lib/internal/assert/assertion_error.js`, so test
 * programs written for Node (HumanEval/MultiPL-E JavaScript) report the same failures.
 * Relies on the helpers of INSPECT_SOURCE, which is concatenated before it.
 */
export const ASSERT_SOURCE = String.raw`
const READABLE = {
  deepStrictEqual: 'Expected values to be strictly deep-equal:',
  strictEqual: 'Expected values to be strictly equal:',
  strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
  deepEqual: 'Expected values to be loosely deep-equal:',
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: 'Values identical but not reference-equal:',
  notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
};

// Line diff of the inspected values as Node 22/24 print it (lib/internal/assert/myers_diff.js):
// Myers' algorithm, common runs longer than five lines collapsed to '...', lines of objects
// compared without their trailing comma. Each trace entry keeps only the diagonals
// [-d - 1, d + 1] that backtracking reads, so memory grows with the edit distance squared.
function linesEqual(a, e, commas) { return a === e || (commas && (a + ',' === e || a === e + ',')); }
function myersDiff(a, e, commas) {
  const n = a.length, m = e.length, max = n + m, v = [];
  for (let i = 0; i <= 2 * max; i++) v[i] = 0;
  const trace = [];
  for (let d = 0; d <= max; d++) {
    const snap = [];
    for (let k = -d - 1; k <= d + 1; k++) push(snap, k + max >= 0 && k + max <= 2 * max ? v[k + max] : 0);
    push(trace, snap);
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[k - 1 + max] < v[k + 1 + max]) ? v[k + 1 + max] : v[k - 1 + max] + 1;
      let y = x - k;
      while (x < n && y < m && linesEqual(a[x], e[y], commas)) { x++; y++; }
      v[k + max] = x;
      if (x >= n && y >= m) return backtrack(trace, a, e, commas);
    }
  }
  return [];
}
function backtrack(trace, a, e, commas) {
  let x = a.length, y = e.length;
  const out = [];
  for (let d = trace.length - 1; d >= 0; d--) {
    const snap = trace[d];
    const at = function (k) { return snap[k + d + 1]; };
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK), prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      const item = a[x - 1];
      push(out, { type: 'nop', value: commas && !(item.length && item[item.length - 1] === ',') ? e[y - 1] : item });
      x--; y--;
    }
    if (d > 0) {
      if (x > prevX) { push(out, { type: 'insert', value: a[x - 1] }); x--; }
      else { push(out, { type: 'delete', value: e[y - 1] }); y--; }
    }
  }
  return out;
}
const NOP_LINES_TO_COLLAPSE = 5;
function printMyersDiff(diff) {
  let message = '', skipped = false, nops = 0;
  for (let i = diff.length - 1; i >= 0; i--) {
    const type = diff[i].type, value = diff[i].value;
    const prev = i < diff.length - 1 ? diff[i + 1].type : null;
    if (prev === 'nop' && type !== prev) {
      if (nops === NOP_LINES_TO_COLLAPSE + 1) message += '  ' + diff[i + 1].value + '\n';
      else if (nops === NOP_LINES_TO_COLLAPSE + 2) message += '  ' + diff[i + 2].value + '\n  ' + diff[i + 1].value + '\n';
      if (nops >= NOP_LINES_TO_COLLAPSE + 3) { message += '...\n  ' + diff[i + 1].value + '\n'; skipped = true; }
      nops = 0;
    }
    if (type === 'insert') message += '+ ' + value + '\n';
    else if (type === 'delete') message += '- ' + value + '\n';
    else { if (nops < NOP_LINES_TO_COLLAPSE) message += '  ' + value + '\n'; nops++; }
  }
  return { message: '\n' + call(I.strTrimEnd, message), skipped: skipped };
}

function isObject(v) { return typeof v === 'object' && v !== null; }
function createErrDiff(actual, expected, operator) {
  if (operator === 'strictEqual' && ((isObject(actual) && isObject(expected)) || (typeof actual === 'function' && typeof expected === 'function'))) operator = 'strictEqualObject';
  const aStr = inspectValue(actual), eStr = inspectValue(expected);
  const aLines = splitLines(aStr), eLines = splitLines(eStr);
  let head = READABLE[operator], header = '+ actual - expected', message, skipped = false;
  if (aLines.length === 1 && eLines.length === 1 && (!isObject(actual) || !isObject(expected))) {
    let len = aStr.length + eStr.length;
    if (typeof actual === 'string') len -= 2;
    if (typeof expected === 'string') len -= 2;
    if (len <= 12 && (actual !== 0 || expected !== 0)) {
      header = '';
      message = aStr + ' !== ' + eStr;
    } else {
      message = '\n+ ' + aStr + '\n- ' + eStr;
      if (aStr.length + eStr.length <= 80) {
        for (let i = 0; i < aStr.length; i++) {
          if (aStr[i] !== eStr[i]) { if (i >= 3) message += '\n' + repeat(' ', i + 2) + '^'; break; }
        }
      }
    }
  } else if (aStr === eStr) {
    head = operator === 'strictEqualObject' ? 'Values have same structure but are not reference-equal:' : READABLE.notIdentical;
    header = '';
    if (aLines.length > 50) { aLines.length = 50; message = join(aLines, '\n') + '\n...}'; skipped = true; }
    else message = aStr;
  } else if (aLines.length * eLines.length > 250000) {
    // Beyond this size the diff itself could exhaust the isolate's heap: print both values.
    return head + '\n\n' + aStr + '\n\nshould equal\n\n' + eStr;
  } else {
    const printed = printMyersDiff(myersDiff(aLines, eLines, isObject(actual)));
    message = printed.message;
    skipped = printed.skipped;
  }
  return head + '\n' + header + (skipped ? '\n... Skipped lines' : '') + '\n' + message + '\n';
}

function messageFor(actual, expected, operator) {
  if (operator === 'deepStrictEqual' || operator === 'strictEqual') return createErrDiff(actual, expected, operator);
  if (operator === 'notDeepStrictEqual' || operator === 'notStrictEqual') {
    let base = READABLE[operator];
    const res = inspectValue(actual);
    const lines = splitLines(res);
    if (operator === 'notStrictEqual' && isObj(actual)) base = READABLE.notStrictEqualObject;
    if (lines.length > 50) { lines.length = 46; push(lines, '...'); }
    return lines.length === 1 ? base + (res.length > 5 ? '\n\n' : ' ') + lines[0] : base + '\n\n' + join(lines, '\n') + '\n';
  }
  let res = inspectValue(actual);
  let other = inspectValue(expected);
  if (operator === 'notDeepEqual' && res === other) { res = READABLE.notDeepEqual + '\n\n' + res; other = ''; }
  else if (operator === 'deepEqual') res = READABLE.deepEqual + '\n\n' + res + '\n\nshould loosely deep-equal\n\n';
  else if (operator === 'notDeepEqual') res = READABLE.notDeepEqualUnequal + '\n\n' + res + '\n\nshould not loosely deep-equal\n\n';
  else other = ' ' + operator + ' ' + other;
  return res + other;
}

class AssertionError extends I.Error {
  constructor(options) {
    if (options === null || typeof options !== 'object') throw new I.TypeError('The "options" argument must be of type object.');
    const msg = options.message;
    const generated = msg === undefined || msg === null;
    super(generated ? messageFor(options.actual, options.expected, options.operator) : I.String(msg));
    this.generatedMessage = generated;
    this.code = 'ERR_ASSERTION';
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
  }
}
I.define(AssertionError.prototype, 'name', { value: 'AssertionError', writable: true, configurable: true });

function fail(actual, expected, message, operator) {
  if (message instanceof I.Error) throw message;
  throw new AssertionError({ actual: actual, expected: expected, message: message, operator: operator });
}

function ok(value, message) {
  if (arguments.length === 0) throw new AssertionError({ message: 'No value argument passed to \x60assert.ok()\x60', actual: undefined, expected: true, operator: '==' });
  if (!value) {
    if (message instanceof I.Error) throw message;
    throw new AssertionError({ actual: value, expected: true, message: message, operator: '==' });
  }
}
function equal(a, e, m) { if (!(a == e || (I.isNaN(a) && I.isNaN(e)))) fail(a, e, m, '=='); }
function notEqual(a, e, m) { if (a == e || (I.isNaN(a) && I.isNaN(e))) fail(a, e, m, '!='); }
function strictEqual(a, e, m) { if (!I.is(a, e)) fail(a, e, m, 'strictEqual'); }
function notStrictEqual(a, e, m) { if (I.is(a, e)) fail(a, e, m, 'notStrictEqual'); }
function deepEqual(a, e, m) { if (!isDeepEqual(a, e)) fail(a, e, m, 'deepEqual'); }
function notDeepEqual(a, e, m) { if (isDeepEqual(a, e)) fail(a, e, m, 'notDeepEqual'); }
function deepStrictEqual(a, e, m) { if (!isDeepStrictEqual(a, e)) fail(a, e, m, 'deepStrictEqual'); }
function notDeepStrictEqual(a, e, m) { if (isDeepStrictEqual(a, e)) fail(a, e, m, 'notDeepStrictEqual'); }

function assertFail(message) {
  if (message instanceof I.Error) throw message;
  const err = new AssertionError({ message: message === undefined ? 'Failed' : message, operator: 'fail' });
  err.generatedMessage = message === undefined;
  throw err;
}

function match(str, re, message) {
  if (typeof str !== 'string') throw new I.TypeError('The "string" argument must be of type string. Received type ' + typeof str);
  if (!call(I.reTest, re, str)) {
    if (message instanceof I.Error) throw message;
    const generated = message === undefined;
    const err = new AssertionError({ actual: str, expected: re, operator: 'match', message: generated ? 'The input did not match the regular expression ' + call(I.reToString, re) + '. Input:\n\n' + inspectValue(str) + '\n' : message });
    err.generatedMessage = generated;
    throw err;
  }
}
function doesNotMatch(str, re, message) {
  if (typeof str !== 'string') throw new I.TypeError('The "string" argument must be of type string. Received type ' + typeof str);
  if (call(I.reTest, re, str)) {
    if (message instanceof I.Error) throw message;
    const generated = message === undefined;
    const err = new AssertionError({ actual: str, expected: re, operator: 'doesNotMatch', message: generated ? 'The input was expected to not match the regular expression ' + call(I.reToString, re) + '. Input:\n\n' + inspectValue(str) + '\n' : message });
    err.generatedMessage = generated;
    throw err;
  }
}

// Checks a caught error against assert.throws' "expected" argument (class, RegExp, validation function or object).
function checkExpected(actual, expected, message, operator) {
  if (expected === undefined) return;
  if (call(I.toStr, expected) === '[object RegExp]') {
    const str = I.String(actual);
    if (call(I.reTest, expected, str)) return;
    throw new AssertionError({ actual: actual, expected: expected, operator: operator, message: message || 'The input did not match the regular expression ' + call(I.reToString, expected) + '. Input:\n\n' + inspectValue(str) + '\n' });
  }
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && actual instanceof expected) return;
    if (I.Error.prototype.isPrototypeOf(expected.prototype) || expected === I.Error) throw actual;
    const res = call(expected, {}, actual);
    if (res !== true) {
      throw new AssertionError({ actual: actual, expected: expected, operator: operator, message: message || 'The ' + (fnName(expected) ? '"' + fnName(expected) + '" validation function' : 'validation function') + ' is expected to return "true". Received ' + inspectValue(res) + '\n\nCaught error:\n\n' + I.String(actual) });
    }
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    const ks = I.keys(expected);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      const a = actual === null || actual === undefined ? undefined : actual[k];
      const e = expected[k];
      if (call(I.toStr, e) === '[object RegExp]' && typeof a === 'string') { if (!call(I.reTest, e, a)) fail(a, e, message, operator); }
      else if (!isDeepStrictEqual(a, e)) {
        throw new AssertionError({ actual: a, expected: e, operator: operator, message: message || createErrDiff(a, e, 'deepStrictEqual') });
      }
    }
  }
}

const NO_EXCEPTION = {};
function missing(expected, message, what) {
  let details = '';
  if (typeof message === 'string') { details = ': ' + message; }
  let name = '';
  if (typeof expected === 'function' && fnName(expected)) name = ' (' + fnName(expected) + ')';
  const err = new AssertionError({ actual: undefined, expected: expected, operator: what === 'rejection' ? 'rejects' : 'throws', message: 'Missing expected ' + what + name + (details || '.') });
  err.generatedMessage = typeof message !== 'string';
  throw err;
}
function unwanted(actual, message, what, operator) {
  const detail = typeof message === 'string' ? ': ' + message : '.';
  const am = actual && typeof actual === 'object' && 'message' in actual ? actual.message : I.String(actual);
  const err = new AssertionError({ actual: actual, expected: undefined, operator: operator, message: 'Got unwanted ' + what + detail + '\nActual message: "' + am + '"' });
  err.generatedMessage = typeof message !== 'string';
  throw err;
}

function throws(fn, expected, message) {
  if (typeof fn !== 'function') throw new I.TypeError('The "fn" argument must be of type function.');
  if (typeof expected === 'string') { message = expected; expected = undefined; }
  let caught = NO_EXCEPTION;
  try { fn(); } catch (e) { caught = e; }
  if (caught === NO_EXCEPTION) missing(expected, message, 'exception');
  checkExpected(caught, expected, message, 'throws');
}
function doesNotThrow(fn, expected, message) {
  if (typeof expected === 'string') { message = expected; expected = undefined; }
  try { fn(); } catch (e) { unwanted(e, message, 'exception', 'doesNotThrow'); }
}
// Promise-returning assertions: a failure that settles after the program's end is recorded as an
// asynchronous failure of the run (see the runtime's onLateFailure), so a test cannot pass by
// forgetting to await it.
function track(p) {
  call(I.promiseThen, p, undefined, function (e) { lateFailure(e); });
  return p;
}
function rejects(promiseFn, expected, message) {
  if (typeof expected === 'string') { message = expected; expected = undefined; }
  return track((async function () {
    let caught = NO_EXCEPTION;
    try { await (typeof promiseFn === 'function' ? promiseFn() : promiseFn); } catch (e) { caught = e; }
    if (caught === NO_EXCEPTION) missing(expected, message, 'rejection');
    checkExpected(caught, expected, message, 'rejects');
  })());
}
function doesNotReject(promiseFn, expected, message) {
  if (typeof expected === 'string') { message = expected; expected = undefined; }
  return track((async function () {
    try { await (typeof promiseFn === 'function' ? promiseFn() : promiseFn); } catch (e) { unwanted(e, message, 'rejection', 'doesNotReject'); }
  })());
}
function ifError(err) {
  if (err !== null && err !== undefined) {
    throw new AssertionError({ actual: err, expected: null, operator: 'ifError', message: 'ifError got unwanted exception: ' + (err && typeof err === 'object' && 'message' in err ? err.message : inspectValue(err)) });
  }
}

function makeAssert(strictMode) {
  const a = function assert(value, message) { if (arguments.length === 0) return ok(); return ok(value, message); };
  const table = {
    ok: ok, fail: assertFail, equal: strictMode ? strictEqual : equal, notEqual: strictMode ? notStrictEqual : notEqual,
    strictEqual: strictEqual, notStrictEqual: notStrictEqual,
    deepEqual: strictMode ? deepStrictEqual : deepEqual, notDeepEqual: strictMode ? notDeepStrictEqual : notDeepEqual,
    deepStrictEqual: deepStrictEqual, notDeepStrictEqual: notDeepStrictEqual,
    throws: throws, doesNotThrow: doesNotThrow, rejects: rejects, doesNotReject: doesNotReject,
    match: match, doesNotMatch: doesNotMatch, ifError: ifError, AssertionError: AssertionError,
  };
  const ks = I.keys(table);
  for (let i = 0; i < ks.length; i++) I.define(a, ks[i], { value: table[ks[i]], enumerable: true });
  return a;
}
const assertLegacy = makeAssert(false);
const assertStrict = makeAssert(true);
I.define(assertLegacy, 'strict', { value: assertStrict, enumerable: true });
I.define(assertStrict, 'strict', { value: assertStrict, enumerable: true });
I.freeze(assertLegacy); I.freeze(assertStrict); I.freeze(AssertionError); I.freeze(AssertionError.prototype);
`;
