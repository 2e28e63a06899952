/**
 * JavaScript that runs inside a Python isolate. PRELUDE_SOURCE provides the few web APIs the
 * pyodide loader and Emscripten glue use (no host object is ever put in the isolate) and makes
 * WebAssembly instantiation synchronous with the module the host compiled. CONTROL_SOURCE, run
 * after the interpreter is up, returns the functions the host calls (and removes every global
 * it used), all of them closures: the program can reach the isolate's JavaScript through
 * pyodide's bridge only if it gets past the harness's audit hook, and even then it finds no
 * name that leads to them.
 */
export const PRELUDE_SOURCE = String.raw`
'use strict';
(() => {
  const G = globalThis;
  const boot = G.__grpoBoot;
  delete G.__grpoBoot;
  let heapMax = boot.heapMaxBytes;
  Object.defineProperty(G, '__grpoHeapMax', { value: () => heapMax, writable: false, configurable: false });
  G.__grpoSetHeapMax = (n) => { heapMax = n; };
  const logs = [];
  G.__grpoLogs = logs;
  const log = (...a) => { if (logs.length < 200) logs.push(a.map((x) => (x && x.stack) || String(x)).join(' ')); };
  G.console = { log, info: log, warn: log, error: log, debug() {}, trace() {} };
  const utf8 = (s) => {
    s = String(s);
    const out = new Uint8Array(s.length * 3);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out[n++] = c;
      else if (c < 0x800) { out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63); }
      else if (c < 0x10000) { out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
      else { out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
    }
    return out.slice(0, n);
  };
  const fromUtf8 = (u8, fatal) => {
    let s = '';
    let chunk = [];
    const flush = () => { s += String.fromCharCode.apply(null, chunk); chunk = []; };
    for (let i = 0; i < u8.length; ) {
      const b = u8[i];
      let c = 0xfffd, n = 1;
      if (b < 0x80) c = b;
      else if (b >= 0xc2 && b < 0xe0 && i + 1 < u8.length && (u8[i + 1] & 0xc0) === 0x80) { c = ((b & 31) << 6) | (u8[i + 1] & 63); n = 2; }
      else if (b >= 0xe0 && b < 0xf0 && i + 2 < u8.length && (u8[i + 1] & 0xc0) === 0x80 && (u8[i + 2] & 0xc0) === 0x80) { c = ((b & 15) << 12) | ((u8[i + 1] & 63) << 6) | (u8[i + 2] & 63); n = 3; if (c < 0x800) c = 0xfffd; }
      else if (b >= 0xf0 && b < 0xf5 && i + 3 < u8.length && (u8[i + 1] & 0xc0) === 0x80 && (u8[i + 2] & 0xc0) === 0x80 && (u8[i + 3] & 0xc0) === 0x80) { c = ((b & 7) << 18) | ((u8[i + 1] & 63) << 12) | ((u8[i + 2] & 63) << 6) | (u8[i + 3] & 63); n = 4; if (c < 0x10000 || c > 0x10ffff) c = 0xfffd; }
      if (c === 0xfffd && fatal && b !== 0xef) throw new TypeError('The encoded data was not valid for encoding utf-8');
      if (c >= 0x10000) { c -= 0x10000; chunk.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); } else chunk.push(c);
      if (chunk.length > 8192) flush();
      i += n;
    }
    flush();
    return s;
  };
  G.__grpoUtf8 = { encode: utf8, decode: fromUtf8 };
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(s = '') { return utf8(s); }
    encodeInto(s, dst) { const e = utf8(s); const n = Math.min(e.length, dst.length); dst.set(e.subarray(0, n)); return { read: s.length, written: n }; }
  }
  class TextDecoder {
    constructor(label = 'utf-8', opts = {}) { this.fatal = !!opts.fatal; }
    get encoding() { return 'utf-8'; }
    decode(b) {
      if (b === undefined) return '';
      const u8 = b instanceof Uint8Array ? b : ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
      return fromUtf8(u8, this.fatal);
    }
  }
  G.TextEncoder = TextEncoder;
  G.TextDecoder = TextDecoder;
  const t0 = Date.now();
  G.performance = { now: () => Date.now() - t0, timeOrigin: t0 };
  G.crypto = {
    getRandomValues(a) {
      const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let i = 0; i < u.length; i++) u[i] = (Math.random() * 256) | 0;
      return a;
    },
  };
  // Timers: queued, run by the host's pump between script runs (the loader uses a few).
  const timers = [];
  let nextTimer = 1;
  G.setTimeout = (f, ms, ...a) => { const id = nextTimer++; if (typeof f === 'function') timers.push({ id, f, a }); return id; };
  G.clearTimeout = (id) => { const i = timers.findIndex((t) => t.id === id); if (i >= 0) timers.splice(i, 1); };
  G.setInterval = G.setTimeout;
  G.clearInterval = G.clearTimeout;
  G.setImmediate = (f, ...a) => G.setTimeout(f, 0, ...a);
  G.queueMicrotask = (f) => { Promise.resolve().then(f); };
  G.__grpoPump = () => { let n = 0; while (timers.length && n < 1000) { const t = timers.shift(); t.f(...t.a); n++; } return n; };
  // The shell-build file hooks serve the package's files from memory.
  const WASM_MARK = new ArrayBuffer(8);
  const files = new Map([
    ['/pyodide/pyodide.asm.wasm', WASM_MARK],
    ['/pyodide/python_stdlib.zip', boot.stdlib],
  ]);
  G.read = (p) => { throw new Error('no file ' + p); };
  G.load = () => { throw new Error('load is not available'); };
  G.readbuffer = (p) => { const f = files.get(p); if (!f) throw new Error('no file ' + p); return f; };
  const wasmModule = boot.wasm;
  const W = G.WebAssembly;
  W.compile = (b) => { try { return Promise.resolve(new W.Module(b)); } catch (e) { return Promise.reject(e); } };
  W.instantiate = (src, imports) => {
    try {
      if (src instanceof W.Module) return Promise.resolve(new W.Instance(src, imports));
      const m = src && src.buffer === WASM_MARK ? wasmModule : new W.Module(src);
      return Promise.resolve({ module: m, instance: new W.Instance(m, imports) });
    } catch (e) { return Promise.reject(e); }
  };
  W.instantiateStreaming = undefined;
  W.compileStreaming = undefined;
  G.__grpoLock = boot.lock;
})();
`;

/** Starts the loader; `__grpoState` turns to `ready` or `failed: …` (the host pumps timers meanwhile). */
export const LOAD_SOURCE = String.raw`
globalThis.__grpoState = 'loading';
loadPyodide({
  indexURL: '/pyodide/',
  lockFileContents: JSON.parse(globalThis.__grpoLock),
  stdLibURL: '/pyodide/python_stdlib.zip',
  createPyodideModule: globalThis._createPyodideModule,
  env: { HOME: '/home/pyodide', PYTHONHASHSEED: '0' },
}).then(
  (p) => { globalThis.__grpoPyodide = p; globalThis.__grpoState = 'ready'; },
  (e) => { globalThis.__grpoState = 'failed: ' + ((e && e.stack) || e); },
);
`;

/**
 * Evaluates to the control object: `begin(code, recursionLimit, heapMaxBytes, maxOutputChars)`,
 * `test(stdin, testCode, expr, softDeadlineMs)` and `reset()`, each returning JSON. Captures the
 * interpreter's clean state (linear memory, the hiwire table of JS references, the stack
 * pointer, the file system tree, open streams, cwd) so that `reset` gives the next program a
 * fresh interpreter in a few ms.
 */
export const CONTROL_SOURCE = String.raw`
(() => {
  const G = globalThis;
  const py = G.__grpoPyodide;
  const M = py._module;
  const FS = M.FS;
  const setHeapMax = G.__grpoSetHeapMax;
  const U = G.__grpoUtf8;
  const logs = G.__grpoLogs;
  for (const k of ['__grpoPyodide', '__grpoSetHeapMax', '__grpoUtf8', '__grpoLock', '__grpoState', '__grpoPump', '__grpoLogs', 'loadPyodide', '_createPyodideModule', 'read', 'load', 'readbuffer'])
    delete G[k];
  const JSON_ = JSON, DateNow = Date.now, stringify = JSON.stringify;

  let out = [], err = [], bytes = 0, cap = 0, overflow = false, stdin = new Uint8Array(0), stdinAt = 0, deadline = Infinity;
  const sink = (chunks) => ({
    isatty: false,
    write(buf) {
      const room = 4 * cap + 4 - bytes;
      if (buf.length > room) overflow = true;
      const n = Math.max(0, Math.min(room, buf.length));
      if (n > 0) { chunks.push(buf.slice(0, n)); bytes += n; }
      return buf.length;
    },
  });
  const decode = (chunks) => {
    let n = 0;
    for (const c of chunks) n += c.length;
    const all = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) { all.set(c, at); at += c.length; }
    return U.decode(all, false);
  };
  py.setStdout(sink({ push: (c) => out.push(c) }));
  py.setStderr(sink({ push: (c) => err.push(c) }));
  py.setStdin({ isatty: false, read(buf) { const n = Math.min(buf.length, stdin.length - stdinAt); buf.set(stdin.subarray(stdinAt, stdinAt + n)); stdinAt += n; return n; } });
  // CPython polls this between bytecodes: SIGINT (KeyboardInterrupt) once the test's soft deadline passed or output overflowed.
  // Fired at most three times per test: a program that swallows KeyboardInterrupt more often is
  // left to the hard (isolated-vm) timeout, and the harness's own error handling is not interrupted.
  let fired = 0;
  let nextFire = Infinity;
  py.setInterruptBuffer({
    get 0() {
      if (fired >= 3) return 0;
      const now = DateNow();
      if (now < nextFire && !(overflow && fired === 0)) return 0;
      if (!overflow && now <= deadline) return 0;
      fired++;
      nextFire = now + 100;
      return 2;
    },
    set 0(v) {},
  });

  py.runPython(G.__grpoHarness, { filename: '<grpo-harness>' });
  delete G.__grpoHarness;
  const beginPy = py.globals.get('_grpo_begin');
  const testPy = py.globals.get('_grpo_run_test');
  py.runPython('del _grpo_begin, _grpo_run_test\nimport gc; gc.collect()', { filename: '<grpo-harness>' });

  // The clean state every program starts from.
  const hiwire = [];
  for (let i = 0; ; i++) { let v; try { v = M.__hiwire_get(i); } catch { break; } hiwire.push(v); }
  const walk = (dir, acc) => {
    for (const name of FS.readdir(dir)) {
      if (name === '.' || name === '..') continue;
      const p = dir === '/' ? '/' + name : dir + '/' + name;
      if (p === '/proc' || p === '/dev') { acc.set(p, null); continue; }
      const node = FS.lookupPath(p, { follow: false }).node;
      acc.set(p, node);
      if (FS.isDir(node.mode)) walk(p, acc);
    }
    return acc;
  };
  const files = walk('/', new Map());
  const fileState = new Map();
  for (const [p, node] of files) if (node && FS.isFile(node.mode)) fileState.set(p, { node, contents: node.contents, used: node.usedBytes, copy: node.contents ? node.contents.slice(0, node.usedBytes) : null });
  const fds = new Set();
  for (const s of FS.streams) if (s) fds.add(s.fd);
  const cwd = FS.cwd();
  const sp = M._emscripten_stack_get_current();
  const memory = M.HEAPU8.slice();
  const clean = { hiwire: hiwire.length, memoryBytes: memory.length };

  const describeJs = (e) => ({ name: (e && e.name) || (e && e.constructor && e.constructor.name) || 'Error', message: String((e && e.message) || e).slice(0, 2000) });
  const take = () => {
    const r = { stdout: decode(out), stderr: decode(err), overflow: overflow || false };
    out = []; err = []; bytes = 0;
    return r;
  };

  return {
    info: () => stringify({ ...clean, version: py.version }),
    begin(code, recursionLimit, heapMaxBytes, maxOutputChars) {
      setHeapMax(heapMaxBytes);
      cap = maxOutputChars;
      overflow = false;
      out = []; err = []; bytes = 0;
      deadline = Infinity;
      return beginPy(code, recursionLimit);
    },
    test(stdinText, testCode, expr, softMs) {
      stdin = U.encode(stdinText);
      stdinAt = 0;
      fired = 0;
      deadline = DateNow() + softMs;
      nextFire = deadline;
      let r;
      try {
        r = JSON_.parse(testPy(stdinText, testCode, expr));
      } catch (e) {
        const exit = !!e && typeof e.status === 'number' && /^Exit/.test(String(e.name));
        // A Python exception that escaped the harness (an interrupt landing in its error handling):
        // the interpreter's memory is restored after the job, so it is not fatal.
        const pyErr = !!e && e.constructor && e.constructor.name === 'PythonError';
        r = exit
          ? { completed: false, exit: e.status | 0, osExit: true }
          : pyErr
            ? { completed: false, escaped: describeJs(e), interrupted: fired > 0 }
            : { completed: false, jsError: describeJs(e), fatal: true };
      }
      deadline = Infinity;
      const o = take();
      r.stdout = o.stdout; r.stderr = o.stderr; r.overflow = o.overflow;
      return stringify(r);
    },
    reset() {
      const H = M.HEAPU8;
      H.set(memory, 0);
      if (H.length > memory.length) H.fill(0, memory.length);
      M.__emscripten_stack_restore(sp);
      for (let i = 0; ; i++) {
        try { M.__hiwire_get(i); } catch { break; }
        M.__hiwire_set(i, i < hiwire.length ? hiwire[i] : null);
      }
      for (const s of FS.streams) if (s && !fds.has(s.fd)) { try { FS.close(s); } catch {} }
      const now = walk('/', new Map());
      const extra = [...now.keys()].filter((p) => !files.has(p)).sort((a, b) => b.length - a.length);
      for (const p of extra) {
        try { const n = now.get(p); if (n && FS.isDir(n.mode)) FS.rmdir(p); else FS.unlink(p); } catch {}
      }
      for (const f of fileState.values()) {
        if (f.node.contents !== f.contents || f.node.usedBytes !== f.used) {
          f.node.contents = f.copy ? f.copy.slice() : f.copy;
          f.contents = f.node.contents;
          f.node.usedBytes = f.used;
        }
      }
      try { FS.chdir(cwd); } catch {}
      out = []; err = []; bytes = 0; overflow = false; deadline = Infinity;
      return stringify({ memoryBytes: H.length, logs: logs.splice(0).length });
    },
  };
})()
`;
