/**
 * In-isolate source: value formatting (a subset of Node's `util.inspect`) and deep equality
 * (Node's `isDeepEqual` / `isDeepStrictEqual`). Runs inside the sandbox's context before user
 * code, so it captures every intrinsic it uses up front: a program that later patches
 * `Object.keys` or `Array.prototype` cannot change how assertions compare or print.
 *
 * Written as plain ES2022 in a string (no template literals) because it is compiled by the
 * isolate, not by the host's TypeScript toolchain.
 */
export const INSPECT_SOURCE = String.raw`
const I = {
  keys: Object.keys, names: Object.getOwnPropertyNames, symbols: Object.getOwnPropertySymbols,
  proto: Object.getPrototypeOf, define: Object.defineProperty, freeze: Object.freeze, is: Object.is,
  isArray: Array.isArray, apply: Reflect.apply, hasOwn: Object.prototype.hasOwnProperty,
  isEnum: Object.prototype.propertyIsEnumerable, toStr: Object.prototype.toString,
  strSlice: String.prototype.slice, strRepeat: String.prototype.repeat, strSplit: String.prototype.split,
  strReplace: String.prototype.replace, strIndexOf: String.prototype.indexOf, strTrimEnd: String.prototype.trimEnd,
  symToString: Symbol.prototype.toString, reTest: RegExp.prototype.test, reToString: RegExp.prototype.toString,
  dateTime: Date.prototype.getTime, dateIso: Date.prototype.toISOString,
  mapForEach: Map.prototype.forEach, mapHas: Map.prototype.has, mapGet: Map.prototype.get,
  setForEach: Set.prototype.forEach, setHas: Set.prototype.has,
  mapSize: Object.getOwnPropertyDescriptor(Map.prototype, 'size').get,
  setSize: Object.getOwnPropertyDescriptor(Set.prototype, 'size').get,
  typedProto: Object.getPrototypeOf(Uint8Array.prototype), isView: ArrayBuffer.isView,
  String: String, Number: Number, Error: Error, TypeError: TypeError, Map: Map, Set: Set, Date: Date,
  RegExp: RegExp, Promise: Promise, isNaN: Number.isNaN, stringify: JSON.stringify,
  promiseThen: Promise.prototype.then, promiseResolve: Promise.resolve,
};
const call = function (fn, self) { const a = []; for (let i = 2; i < arguments.length; i++) a[a.length] = arguments[i]; return I.apply(fn, self, a); };
const push = function (arr, v) { arr[arr.length] = v; };
const join = function (arr, sep) { let s = ''; for (let i = 0; i < arr.length; i++) s += (i ? sep : '') + arr[i]; return s; };
const repeat = function (s, n) { return call(I.strRepeat, s, n); };
const splitLines = function (s) { return call(I.strSplit, s, '\n'); };
const sortStrings = function (arr) {
  for (let i = 1; i < arr.length; i++) { const v = arr[i]; let j = i - 1; while (j >= 0 && arr[j] > v) { arr[j + 1] = arr[j]; j--; } arr[j + 1] = v; }
  return arr;
};
const IDENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

function quote(s) {
  let q = "'";
  if (call(I.strIndexOf, s, "'") !== -1) q = call(I.strIndexOf, s, '"') === -1 ? '"' : (call(I.strIndexOf, s, '\x60') === -1 ? '\x60' : "'");
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === q || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\v') out += '\\v';
    else if (c < ' ') { const h = '0' + c.charCodeAt(0).toString(16).toUpperCase(); out += '\\x' + call(I.strSlice, h, h.length - 2); }
    else out += c;
  }
  return q + out + q;
}

function fnName(f) {
  let n = '';
  try { n = typeof f.name === 'string' ? f.name : ''; } catch (e) { n = ''; }
  return n;
}

function ctorName(v) {
  let p = I.proto(v);
  if (p === null) return null;
  try {
    const c = I.hasOwn.call(p, 'constructor') ? p.constructor : undefined;
    return typeof c === 'function' ? fnName(c) : '';
  } catch (e) { return ''; }
}

// mode.expanded: Node's assertion format (compact: false, sorted keys, depth 1000);
// otherwise console.log's default (compact: 3, breakLength 80, depth 2).
function inspect(v, mode, depth, indent, seen) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined': return 'undefined';
    case 'string': return depth === 0 && mode.top === 'raw' ? v : quote(v);
    case 'number': return I.is(v, -0) ? '-0' : I.String(v);
    case 'bigint': return I.String(v) + 'n';
    case 'boolean': return v ? 'true' : 'false';
    case 'symbol': return call(I.symToString, v);
    case 'function': {
      const n = fnName(v);
      let kind = 'Function';
      try { const src = call(Function.prototype.toString, v); if (call(I.strSlice, src, 0, 6) === 'class ') return n ? '[class ' + n + ']' : '[class (anonymous)]'; } catch (e) { /* native */ }
      return n ? '[' + kind + ': ' + n + ']' : '[' + kind + ' (anonymous)]';
    }
  }
  for (let i = 0; i < seen.length; i++) if (seen[i] === v) return '[Circular *1]';
  const tag = call(I.toStr, v);
  if (tag === '[object Date]') { try { return call(I.dateIso, v); } catch (e) { return 'Invalid Date'; } }
  if (tag === '[object RegExp]') return call(I.reToString, v);
  if (tag === '[object Error]' || v instanceof I.Error) {
    let n = 'Error', m = '';
    try { n = I.String(v.name); m = I.String(v.message); } catch (e) { /* hostile getter */ }
    return '[' + n + (m ? ': ' + m : '') + ']';
  }
  const maxDepth = mode.expanded ? 1000 : 2;
  const isArr = I.isArray(v);
  const isMap = tag === '[object Map]', isSet = tag === '[object Set]';
  const isTyped = I.isView(v) && tag !== '[object DataView]';
  if (depth > maxDepth) return isArr ? '[Array]' : '[Object]';
  push(seen, v);
  const entries = [];
  let open = '{', close = '}', prefix = '';
  const name = ctorName(v);
  if (isArr || isTyped) {
    open = '['; close = ']';
    if (isTyped) prefix = name + '(' + v.length + ') ';
    else if (name !== 'Array') prefix = name === null ? '[Array(' + v.length + '): null prototype] ' : name + '(' + v.length + ') ';
    for (let i = 0; i < v.length; i++) push(entries, inspect(v[i], mode, depth + 1, indent + 2, seen));
  } else if (isMap) {
    prefix = 'Map(' + call(I.mapSize, v) + ') ';
    call(I.mapForEach, v, function (val, key) { push(entries, inspect(key, mode, depth + 1, indent + 2, seen) + ' => ' + inspect(val, mode, depth + 1, indent + 2, seen)); });
  } else if (isSet) {
    prefix = 'Set(' + call(I.setSize, v) + ') ';
    call(I.setForEach, v, function (val) { push(entries, inspect(val, mode, depth + 1, indent + 2, seen)); });
  } else if (name === null) prefix = '[Object: null prototype] ';
  else if (name !== 'Object') prefix = (name || 'Object') + ' ';
  if (!isArr && !isTyped) {
    const ks = I.keys(v);
    if (mode.expanded) sortStrings(ks);
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      let val;
      try { val = v[k]; } catch (e) { val = '[Getter threw]'; }
      push(entries, (call(I.reTest, IDENT, k) ? k : quote(k)) + ': ' + inspect(val, mode, depth + 1, indent + 2, seen));
    }
  }
  seen.length = seen.length - 1;
  if (entries.length === 0) return prefix + open + close;
  const pad = repeat(' ', indent);
  if (!mode.expanded) {
    let total = prefix.length + indent;
    let multiline = false;
    for (let i = 0; i < entries.length; i++) { total += entries[i].length + 2; if (call(I.strIndexOf, entries[i], '\n') !== -1) multiline = true; }
    if (!multiline && total + 4 <= 76) return prefix + open + ' ' + join(entries, ', ') + ' ' + close;
  }
  return prefix + open + '\n' + pad + '  ' + join(entries, ',\n' + pad + '  ') + '\n' + pad + close;
}

const EXPANDED = { expanded: true };
const COMPACT = { expanded: false };
function inspectValue(v) { return inspect(v, EXPANDED, 0, 0, []); }
function inspectCompact(v) { return inspect(v, COMPACT, 0, 0, []); }

function isObj(v) { return (typeof v === 'object' && v !== null) || typeof v === 'function'; }

function ownKeys(o, strict) {
  const ks = I.keys(o);
  if (strict) { const ss = I.symbols(o); for (let i = 0; i < ss.length; i++) if (call(I.isEnum, o, ss[i])) push(ks, ss[i]); }
  return ks;
}

function deepEq(a, b, strict, memo) {
  if (a === b) return !strict || a !== 0 || I.is(a, b);
  if (strict) {
    if (typeof a !== 'object') return typeof a === 'number' && I.isNaN(a) && I.isNaN(b);
    if (typeof b !== 'object' || a === null || b === null) return false;
    if (I.proto(a) !== I.proto(b)) return false;
  } else {
    if (a === null || typeof a !== 'object') {
      if (b === null || typeof b !== 'object') return a == b || (I.isNaN(a) && I.isNaN(b));
      return false;
    }
    if (b === null || typeof b !== 'object') return false;
  }
  const ta = call(I.toStr, a), tb = call(I.toStr, b);
  if (ta !== tb) return false;
  for (let i = 0; i < memo.length; i++) if (memo[i][0] === a && memo[i][1] === b) return true;
  push(memo, [a, b]);
  if (I.isArray(a)) {
    if (!I.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (strict && (I.hasOwn.call(a, i) !== I.hasOwn.call(b, i))) return false;
      if (!deepEq(a[i], b[i], strict, memo)) return false;
    }
    const ka = ownKeys(a, strict), kb = ownKeys(b, strict);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) if (!I.hasOwn.call(b, ka[i]) || !deepEq(a[ka[i]], b[ka[i]], strict, memo)) return false;
    return true;
  }
  if (ta === '[object Date]') { if (call(I.dateTime, a) !== call(I.dateTime, b)) return false; }
  else if (ta === '[object RegExp]') { if (call(I.reToString, a) !== call(I.reToString, b)) return false; }
  else if (a instanceof I.Error || ta === '[object Error]') { if (a.message !== b.message || a.name !== b.name) return false; }
  else if (I.isView(a)) {
    if (a.length !== b.length || a.byteLength !== b.byteLength) return false;
    for (let i = 0; i < a.length; i++) if (!(strict ? I.is(a[i], b[i]) : a[i] == b[i])) return false;
  } else if (ta === '[object Number]' || ta === '[object String]' || ta === '[object Boolean]') {
    if (!I.is(a.valueOf(), b.valueOf())) return false;
  } else if (ta === '[object Map]') {
    if (call(I.mapSize, a) !== call(I.mapSize, b)) return false;
    let ok = true;
    call(I.mapForEach, a, function (va, k) { if (ok && (!call(I.mapHas, b, k) || !deepEq(va, call(I.mapGet, b, k), strict, memo))) ok = false; });
    if (!ok) return false;
  } else if (ta === '[object Set]') {
    if (call(I.setSize, a) !== call(I.setSize, b)) return false;
    const rest = [];
    call(I.setForEach, b, function (vb) { push(rest, vb); });
    let ok = true;
    call(I.setForEach, a, function (va) {
      if (!ok) return;
      if (call(I.setHas, b, va)) return;
      if (!isObj(va) && strict) { ok = false; return; }
      let found = false;
      for (let i = 0; i < rest.length && !found; i++) if (isObj(rest[i]) && deepEq(va, rest[i], strict, [])) found = true;
      if (!found) ok = false;
    });
    if (!ok) return false;
  }
  const ka = ownKeys(a, strict), kb = ownKeys(b, strict);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (!call(I.isEnum, b, k)) return false;
    if (!deepEq(a[k], b[k], strict, memo)) return false;
  }
  return true;
}
function isDeepEqual(a, b) { return deepEq(a, b, false, []); }
function isDeepStrictEqual(a, b) { return deepEq(a, b, true, []); }
`;
