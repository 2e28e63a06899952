import { ASSERT_SOURCE } from './assert-source.js';
import { INSPECT_SOURCE } from './inspect-source.js';

/**
 * In-isolate source: the only host-like surface a program sees. `console` and
 * `process.stdout/stderr` write into capped buffers; `process.stdin`, `fs.readFileSync(0)`
 * and `readline` read the job's stdin string; timers run on a virtual clock that the worker
 * advances one callback at a time after the main script; `require` knows assert, fs,
 * readline and util and nothing else. Nothing here holds a host object: the worker reads
 * results back through the control object this script returns (a closure user code cannot reach).
 */
const GLOBALS_SOURCE = String.raw`
const G = globalThis;
delete G.__grpoConfig;
let out = '', err = '', used = 0, overflow = false, exitCode = null, completed = false, value, lateError = null;
const maxOut = cfg.maxOutputChars;
const stdinText = cfg.stdin;
const token = cfg.token;

function limitError() { const e = new I.Error('output limit of ' + maxOut + ' characters exceeded'); e.name = 'OutputLimitError'; return e; }
function emit(toErr, s) {
  if (overflow) throw limitError();
  const room = maxOut - used;
  if (s.length > room) { s = call(I.strSlice, s, 0, room); overflow = true; }
  used += s.length;
  if (toErr) err += s; else out += s;
  if (overflow) throw limitError();
}
function lateFailure(e) { if (lateError === null) lateError = e; }

function format(args) {
  let s = '';
  let start = 0;
  if (typeof args[0] === 'string' && call(I.strIndexOf, args[0], '%') !== -1 && args.length > 1) {
    const f = args[0];
    let k = 1;
    for (let i = 0; i < f.length; i++) {
      const c = f[i];
      if (c === '%' && i + 1 < f.length) {
        const d = f[i + 1];
        if (d === '%') { s += '%'; i++; continue; }
        if (k < args.length && (d === 's' || d === 'd' || d === 'i' || d === 'f' || d === 'j' || d === 'o' || d === 'O')) {
          const a = args[k++];
          if (d === 's') s += typeof a === 'string' ? a : (typeof a === 'object' && a !== null ? inspectCompact(a) : I.String(a));
          else if (d === 'd') s += typeof a === 'bigint' ? a + 'n' : I.String(I.Number(a));
          else if (d === 'i') s += I.String(parseInt(a));
          else if (d === 'f') s += I.String(parseFloat(a));
          else if (d === 'j') s += I.stringify(a);
          else s += inspectCompact(a);
          i++;
          continue;
        }
      }
      s += c;
    }
    start = k;
  } else if (args.length) { s = typeof args[0] === 'string' ? args[0] : inspectCompact(args[0]); start = 1; }
  for (let i = start; i < args.length; i++) s += ' ' + (typeof args[i] === 'string' ? args[i] : inspectCompact(args[i]));
  return s;
}

const consoleObj = {};
const toOut = function () { emit(false, format(arguments) + '\n'); };
const toErr = function () { emit(true, format(arguments) + '\n'); };
const names = ['log', 'info', 'debug', 'trace', 'dir', 'table'];
for (let i = 0; i < names.length; i++) consoleObj[names[i]] = toOut;
consoleObj.error = toErr; consoleObj.warn = toErr;
consoleObj.assert = function (v) { if (!v) { const rest = []; for (let i = 1; i < arguments.length; i++) push(rest, arguments[i]); emit(true, 'Assertion failed' + (rest.length ? ': ' + format(rest) : '') + '\n'); } };
consoleObj.time = consoleObj.timeEnd = consoleObj.timeLog = consoleObj.group = consoleObj.groupEnd = consoleObj.count = function () {};

// Virtual clock: callbacks run in (due time, creation order); no real waiting happens.
let now = 0, seq = 0;
const timers = [];
function addTimer(fn, ms, args, repeat) {
  if (typeof fn !== 'function') throw new I.TypeError('The "callback" argument must be of type function.');
  const delay = I.Number(ms) >= 1 ? I.Number(ms) : 1;
  const t = { id: ++seq, due: now + delay, fn: fn, args: args, repeat: repeat ? delay : 0, seq: seq };
  push(timers, t);
  return t.id;
}
function clearTimer(id) { for (let i = 0; i < timers.length; i++) if (timers[i].id === id) { timers[i].cancelled = true; } }
function restArgs(a, from) { const r = []; for (let i = from; i < a.length; i++) push(r, a[i]); return r; }
function nextTimer() {
  let best = -1;
  for (let i = 0; i < timers.length; i++) {
    const t = timers[i];
    if (t.cancelled) { timers[i] = timers[timers.length - 1]; timers.length = timers.length - 1; i--; continue; }
    if (best === -1 || t.due < timers[best].due || (t.due === timers[best].due && t.seq < timers[best].seq)) best = i;
  }
  if (best === -1) { timers.length = 0; return null; }
  const t = timers[best];
  if (t.repeat) { t.due = t.due + t.repeat; t.seq = ++seq; }
  else { timers[best] = timers[timers.length - 1]; timers.length = timers.length - 1; }
  return t;
}

// stdin as a stream: 'data' (one chunk), then 'end' and 'close', delivered as timer callbacks.
function makeEmitter() {
  const handlers = {};
  const em = {
    on: function (ev, fn) { (handlers[ev] || (handlers[ev] = [])); push(handlers[ev], fn); return em; },
    emit: function (ev) { const hs = handlers[ev] || []; const args = restArgs(arguments, 1); for (let i = 0; i < hs.length; i++) I.apply(hs[i], em, args); return hs.length > 0; },
    removeListener: function (ev, fn) { const hs = handlers[ev] || []; for (let i = 0; i < hs.length; i++) if (hs[i] === fn) hs[i] = function () {}; return em; },
    removeAllListeners: function () { const ks = I.keys(handlers); for (let i = 0; i < ks.length; i++) delete handlers[ks[i]]; return em; },
  };
  em.addListener = em.on; em.off = em.removeListener;
  em.once = function (ev, fn) { let done = false; return em.on(ev, function () { if (done) return; done = true; return I.apply(fn, em, arguments); }); };
  return em;
}
const stdin = makeEmitter();
let stdinScheduled = false, stdinConsumed = false;
function scheduleStdin() {
  if (stdinScheduled) return;
  stdinScheduled = true;
  addTimer(function () {
    if (stdinText.length) stdin.emit('data', stdinText);
    stdin.emit('readable');
    stdin.emit('end');
    stdin.emit('close');
  }, 0, [], false);
}
const stdinOn = stdin.on;
stdin.on = stdin.addListener = function (ev, fn) { scheduleStdin(); return stdinOn(ev, fn); };
stdin.setEncoding = function () { return stdin; };
stdin.resume = function () { scheduleStdin(); return stdin; };
stdin.pause = function () { return stdin; };
stdin.read = function () { if (stdinConsumed || !stdinText.length) return null; stdinConsumed = true; return stdinText; };
stdin.fd = 0; stdin.isTTY = false;
stdin[Symbol.asyncIterator] = async function* () { if (stdinText.length) yield stdinText; };

function exit(code) {
  exitCode = code === undefined ? (processObj.exitCode === undefined ? 0 : I.Number(processObj.exitCode) | 0) : I.Number(code) | 0;
  const e = new I.Error('process.exit(' + exitCode + ')');
  e.name = 'ProcessExit';
  throw e;
}
const processObj = {
  argv: ['node', '/sandbox/main.js'], env: {}, platform: 'linux', version: cfg.nodeVersion, versions: { node: call(I.strSlice, cfg.nodeVersion, 1) },
  pid: 1, arch: 'x64', exitCode: undefined, exit: exit, stdin: stdin,
  stdout: { write: function (s) { emit(false, typeof s === 'string' ? s : I.String(s)); return true; }, isTTY: false, columns: 80, on: function () {} },
  stderr: { write: function (s) { emit(true, typeof s === 'string' ? s : I.String(s)); return true; }, isTTY: false, columns: 80, on: function () {} },
  cwd: function () { return '/sandbox'; }, on: function () { return processObj; }, once: function () { return processObj; },
  nextTick: function (fn) { const args = restArgs(arguments, 1); call(I.promiseThen, call(I.promiseResolve, I.Promise), function () { I.apply(fn, undefined, args); }); },
  hrtime: function (prev) { const ns = (now + (Date.now() % 1000000)) * 1e6; const s = Math.floor(ns / 1e9), n = ns % 1e9; return prev ? [s - prev[0], n - prev[1]] : [s, n]; },
  memoryUsage: function () { return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }; },
  uptime: function () { return now / 1000; },
};
processObj.hrtime.bigint = function () { return BigInt(Math.round((now + Date.now()) * 1e6)); };

function noFs(path) { const e = new I.Error('EACCES: permission denied, open ' + inspectValue(path) + ' (the sandbox has no file system)'); e.code = 'EACCES'; return e; }
function StdinBuffer(s) { this.text = s; this.length = s.length; }
StdinBuffer.prototype.toString = function () { return this.text; };
const fsModule = {
  readFileSync: function (path, options) {
    if (path === 0 || path === '/dev/stdin' || path === '/proc/self/fd/0') {
      stdinConsumed = true;
      const enc = typeof options === 'string' ? options : (options && options.encoding);
      return enc ? stdinText : new StdinBuffer(stdinText);
    }
    throw noFs(path);
  },
  writeFileSync: function (path, data) { if (path === 1 || path === '/dev/stdout') return emit(false, I.String(data)); if (path === 2 || path === '/dev/stderr') return emit(true, I.String(data)); throw noFs(path); },
  writeSync: function (fd, data) { if (fd === 1) return emit(false, I.String(data)); if (fd === 2) return emit(true, I.String(data)); throw noFs(fd); },
  existsSync: function () { return false; },
};
const readlineModule = {
  createInterface: function (opts) {
    const rl = makeEmitter();
    const lines = [];
    const parts = call(I.strSplit, stdinText, '\n');
    for (let i = 0; i < parts.length; i++) {
      let l = parts[i];
      if (l.length && l[l.length - 1] === '\r') l = call(I.strSlice, l, 0, l.length - 1);
      if (i === parts.length - 1 && l === '') break;
      push(lines, l);
    }
    let started = false;
    const start = function () {
      if (started) return; started = true;
      addTimer(function () { for (let i = 0; i < lines.length; i++) rl.emit('line', lines[i]); rl.emit('close'); }, 0, [], false);
    };
    const rlOn = rl.on;
    rl.on = rl.addListener = function (ev, fn) { start(); return rlOn(ev, fn); };
    rl.close = function () {};
    rl.setPrompt = rl.prompt = rl.pause = rl.resume = function () { return rl; };
    rl.question = function (q, cb) { const l = lines.length ? lines.shift() : ''; addTimer(cb, 0, [l], false); };
    rl[Symbol.asyncIterator] = async function* () { for (let i = 0; i < lines.length; i++) yield lines[i]; };
    void opts;
    return rl;
  },
};
const utilModule = { inspect: inspectCompact, format: function () { return format(arguments); }, isDeepStrictEqual: isDeepStrictEqual };
const modules = {
  assert: assertLegacy, 'assert/strict': assertStrict, fs: fsModule, readline: readlineModule, util: utilModule,
};
I.freeze(fsModule); I.freeze(readlineModule); I.freeze(utilModule);
function requireFn(id) {
  let name = typeof id === 'string' ? id : '';
  if (call(I.strSlice, name, 0, 5) === 'node:') name = call(I.strSlice, name, 5);
  if (I.hasOwn.call(modules, name)) return modules[name];
  const e = new I.Error("Cannot find module '" + I.String(id) + "' (the sandbox provides assert, assert/strict, fs (stdin only), readline and util)");
  e.code = 'MODULE_NOT_FOUND';
  throw e;
}

const moduleObj = { exports: {} };
function fixed(name, v) { I.define(G, name, { value: v, writable: false, enumerable: false, configurable: false }); }
function open(name, v) { I.define(G, name, { value: v, writable: true, enumerable: false, configurable: true }); }
// require and the completion hook are fixed so a solution cannot replace the assert module
// that the tests appended after it will load, nor fake the end of the program.
fixed('require', requireFn);
fixed('__grpo_done', function (t, thunk) {
  if (t !== token) return;
  let v;
  try { v = thunk(); } catch (e) { throw e; }
  if (v !== null && typeof v === 'object' && typeof v.then === 'function') {
    call(I.promiseThen, v, function (r) { value = r; completed = true; }, function (e) { lateFailure(e); });
  } else { value = v; completed = true; }
});
open('console', consoleObj);
open('process', processObj);
open('module', moduleObj);
open('exports', moduleObj.exports);
open('setTimeout', function (fn, ms) { return addTimer(fn, ms, restArgs(arguments, 2), false); });
open('setInterval', function (fn, ms) { return addTimer(fn, ms, restArgs(arguments, 2), true); });
open('setImmediate', function (fn) { return addTimer(fn, 0, restArgs(arguments, 1), false); });
open('clearTimeout', clearTimer); open('clearInterval', clearTimer); open('clearImmediate', clearTimer);
open('queueMicrotask', function (fn) { call(I.promiseThen, call(I.promiseResolve, I.Promise), function () { fn(); }); });
open('global', G);

const control = {
  // Runs the next due timer; returns false when none is left or the program exited.
  step: function () {
    if (exitCode !== null) return false;
    const t = nextTimer();
    if (t === null) return false;
    if (t.due > now) now = t.due;
    I.apply(t.fn, undefined, t.args);
    return true;
  },
  finish: function () {
    let v;
    if (completed && value !== undefined) { try { v = I.stringify(value); } catch (e) { v = undefined; } }
    let late = null;
    if (lateError !== null) {
      let n = 'Error', m = '';
      try { n = lateError && lateError.name !== undefined ? I.String(lateError.name) : 'Error'; m = lateError && lateError.message !== undefined ? I.String(lateError.message) : I.String(lateError); } catch (e) { m = 'unprintable error'; }
      late = { name: n, message: m };
    }
    return I.stringify({ stdout: out, stderr: err, overflow: overflow, exitCode: exitCode, completed: completed, value: v, late: late });
  },
  exited: function () { return exitCode !== null; },
  overflowed: function () { return overflow; },
};
`;

/** The whole runtime, evaluated once per context before user code; its value is the control object. */
export const RUNTIME_SOURCE = `(function (cfg) {\n'use strict';\n${INSPECT_SOURCE}\n${ASSERT_SOURCE}\n${GLOBALS_SOURCE}\nreturn control;\n})(globalThis.__grpoConfig)`;
