/**
 * The npm `pyodide` package's files, read once per worker process and prepared to run inside
 * an isolated-vm isolate: the Emscripten glue and the loader become classic scripts (their
 * ES-module bits replaced), and the CPython WebAssembly binary is compiled once here and
 * shared with every isolate through an ExternalCopy (isolates never compile it themselves).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The exact pyodide version the patches below were written against (package.json pins it). */
export const PYODIDE_VERSION = '314.0.8';

export interface PyodideAssets {
  glue: string;
  loader: string;
  /** The compiled CPython module (a `WebAssembly.Module`; the lib's types do not name it). */
  wasm: object;
  stdlib: ArrayBuffer;
  lock: string;
}

/** Replaces `from` once in `text`; a pyodide upgrade that moves an anchor fails loudly here, not later. */
function patch(text: string, from: string, to: string, what: string): string {
  const at = text.indexOf(from);
  if (at === -1) throw new Error(`pyodide ${PYODIDE_VERSION} patch "${what}" found no anchor`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

let cached: PyodideAssets | null = null;
const Wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } })
  .WebAssembly;

/** Reads and prepares the pyodide files (cached per process). */
export function pyodideAssets(): PyodideAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('pyodide/package.json'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  if (pkg.version !== PYODIDE_VERSION)
    throw new Error(`pyodide ${PYODIDE_VERSION} expected, found ${pkg.version}`);
  let glue = readFileSync(join(dir, 'pyodide.asm.mjs'), 'utf8');
  glue = patch(
    glue,
    'var _scriptName=import.meta.url;',
    'var _scriptName="/pyodide/pyodide.asm.mjs";',
    'script name',
  );
  glue = glue.replaceAll('import.meta.url', '"/pyodide/pyodide.asm.mjs"');
  glue = patch(
    glue,
    'export default _createPyodideModule;',
    'globalThis._createPyodideModule=_createPyodideModule;',
    'export',
  );
  // The wasm heap's ceiling is read from a closure the program cannot reach (see runtime-source).
  glue = patch(glue, 'getHeapMax=()=>4294901760;', 'getHeapMax=()=>__grpoHeapMax();', 'heap max');
  // Randomness from crypto.getRandomValues (the shell build would shell out to /dev/urandom).
  glue = patch(
    glue,
    'var initRandomFill=()=>{',
    'var initRandomFill=()=>{return view=>crypto.getRandomValues(view);',
    'random',
  );
  // os._exit() unwinds as an ExitStatus without marking the runtime dead: the runner restores the
  // interpreter's memory after every program anyway.
  glue = patch(
    glue,
    'var _proc_exit=code=>{EXITSTATUS=code;if(!keepRuntimeAlive())',
    'var _proc_exit=code=>{EXITSTATUS=code;if(false)',
    'proc_exit',
  );
  glue = patch(
    glue,
    'var exitJS=(status,implicit)=>{EXITSTATUS=status;if(!keepRuntimeAlive()){exitRuntime()}',
    'var exitJS=(status,implicit)=>{EXITSTATUS=status;',
    'exitJS',
  );
  let loader = readFileSync(join(dir, 'pyodide.mjs'), 'utf8');
  loader = patch(
    loader,
    'export{dt as loadPyodide,U as version}',
    'globalThis.loadPyodide=dt;',
    'loader export',
  );
  const wasmBytes = readFileSync(join(dir, 'pyodide.asm.wasm'));
  const stdlibBytes = readFileSync(join(dir, 'python_stdlib.zip'));
  const stdlib = stdlibBytes.buffer.slice(
    stdlibBytes.byteOffset,
    stdlibBytes.byteOffset + stdlibBytes.byteLength,
  );
  cached = {
    glue,
    loader,
    wasm: new Wasm.Module(wasmBytes),
    stdlib: stdlib as ArrayBuffer,
    lock: readFileSync(join(dir, 'pyodide-lock.json'), 'utf8'),
  };
  return cached;
}
