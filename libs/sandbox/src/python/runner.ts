import { performance } from 'node:perf_hooks';
import ivm from 'isolated-vm';
import type { ResolvedJob } from '../limits.js';
import type { SandboxErrorInfo, SandboxResult, SandboxStatus, SandboxTestResult } from '../types.js';
import { pyodideAssets } from './assets.js';
import { HARNESS_SOURCE } from './harness-source.js';
import { CONTROL_SOURCE, LOAD_SOURCE, PRELUDE_SOURCE } from './runtime-source.js';

/** V8 heap of a Python isolate, in MiB (pyodide's JS side, ~15 MiB, plus captured output). */
export const PYTHON_ISOLATE_HEAP_MB = 256;
/** Bytes of the interpreter's own linear memory the program's `memoryLimitMb` comes on top of (rounded up). */
export const PYTHON_BASE_HEAP_MB = 32;
/** Python's recursion limit in every program (CPython's default); `sys.setrecursionlimit` may raise it, the wasm stack still bounds it. */
export const PYTHON_RECURSION_LIMIT = 1000;
/**
 * The soft per-test deadline (`timeoutMs`) interrupts Python between bytecodes; this much later
 * isolated-vm stops the isolate (a long C-level operation), and the instance is discarded.
 */
export const PYTHON_HARD_EXTRA_MS = 500;
/** Longest a cold interpreter may take to boot before the worker gives up (loaded machines take seconds). */
export const PYTHON_BOOT_TIMEOUT_MS = 60_000;
/** After a failed boot, jobs fail fast (crash, with the boot error) for this long before the next try. */
export const PYTHON_BOOT_RETRY_MS = 30_000;
/** An interpreter is rebuilt after this many programs (bounds any JS-side growth a program could cause). */
export const PYTHON_RECYCLE_AFTER_JOBS = 2000;
/** An interpreter whose linear memory grew past this is rebuilt (wasm memory never shrinks). */
export const PYTHON_RECYCLE_MEMORY_MB = 512;

const TIMED_OUT = 'Script execution timed out.';

interface Control {
  begin: ivm.Reference<(code: string, lim: number, heap: number, out: number) => string>;
  test: ivm.Reference<(stdin: string, code: string, expr: string, softMs: number) => string>;
  reset: ivm.Reference<() => string>;
  info: ivm.Reference<() => string>;
}

interface PyTest {
  completed: boolean;
  value?: string;
  exit?: number;
  osExit?: boolean;
  error?: { name: string; message: string; traceback: string };
  test_error?: { name: string; message: string; traceback: string };
  jsError?: { name: string; message: string };
  escaped?: { name: string; message: string };
  interrupted?: boolean;
  fatal?: boolean;
  stdout: string;
  stderr: string;
  overflow: boolean;
}

/** Timing of the last boot, for the benchmark and stats. */
export interface PythonBootInfo {
  bootMs: number;
  memoryBytes: number;
}

/**
 * Runs Python jobs in a worker process: CPython (pyodide) booted once in an isolated-vm isolate,
 * its clean state saved, and restored after every job, so each program starts from a fresh
 * interpreter without paying for a boot. An isolate that timed out, crashed or ran out of V8
 * heap is disposed and a new one booted (seconds) before the next job.
 */
export class PythonRunner {
  #iso: ivm.Isolate | null = null;
  #control: Control | null = null;
  #jobs = 0;
  /** Whether the current interpreter ran a job since its last reset. */
  #dirty = false;
  lastBoot: PythonBootInfo | null = null;
  /** Why the last boot failed (null after a successful one). */
  bootError: string | null = null;
  #bootFailedAt = 0;

  get ready(): boolean {
    return this.#control !== null && !this.#dirty;
  }

  dispose(): void {
    this.#control = null;
    if (this.#iso && !this.#iso.isDisposed) this.#iso.dispose();
    this.#iso = null;
  }

  /** Boots a fresh interpreter if there is none (seconds). */
  boot(): void {
    if (this.#control) return;
    const t0 = performance.now();
    const a = pyodideAssets();
    const iso = new ivm.Isolate({ memoryLimit: PYTHON_ISOLATE_HEAP_MB });
    this.#iso = iso;
    try {
      const ctx = iso.createContextSync();
      const g = ctx.global;
      g.setSync('globalThis', g.derefInto());
      g.setSync('__grpoWasm', new ivm.ExternalCopy(a.wasm).copyInto());
      g.setSync('__grpoStdlib', new ivm.ExternalCopy(a.stdlib).copyInto());
      g.setSync('__grpoLockText', a.lock);
      g.setSync('__grpoHarness', HARNESS_SOURCE);
      ctx.evalSync(
        `globalThis.__grpoBoot = { wasm: __grpoWasm, stdlib: __grpoStdlib, lock: __grpoLockText, heapMaxBytes: ${(PYTHON_BASE_HEAP_MB + 64) * 1024 * 1024} };
         delete globalThis.__grpoWasm; delete globalThis.__grpoStdlib; delete globalThis.__grpoLockText;`,
      );
      const deadline = t0 + PYTHON_BOOT_TIMEOUT_MS;
      const left = () => Math.max(1, Math.floor(deadline - performance.now()));
      iso
        .compileScriptSync(PRELUDE_SOURCE, { filename: 'grpo-python-prelude.js' })
        .runSync(ctx, { timeout: left() });
      iso.compileScriptSync(a.glue, { filename: 'pyodide.asm.js' }).runSync(ctx, { timeout: left() });
      iso.compileScriptSync(a.loader, { filename: 'pyodide.js' }).runSync(ctx, { timeout: left() });
      iso
        .compileScriptSync(LOAD_SOURCE, { filename: 'grpo-python-load.js' })
        .runSync(ctx, { timeout: left() });
      for (;;) {
        const state = ctx.evalSync('globalThis.__grpoState', { timeout: left() }) as string;
        if (state === 'ready') break;
        if (state !== 'loading') throw new Error(`pyodide failed to load: ${state}`);
        if (performance.now() > deadline) throw new Error('pyodide did not load in time');
        const ran = ctx.evalSync('globalThis.__grpoPump()', { timeout: left() }) as number;
        if (ran === 0) throw new Error('pyodide load stalled (no pending timers)');
      }
      const ref = iso
        .compileScriptSync(CONTROL_SOURCE, { filename: 'grpo-python-control.js' })
        .runSync(ctx, { reference: true, timeout: left() }) as ivm.Reference<Record<string, unknown>>;
      const get = <T>(k: string) => ref.getSync(k, { reference: true }) as ivm.Reference<T>;
      this.#control = {
        begin: get('begin'),
        test: get('test'),
        reset: get('reset'),
        info: get('info'),
      };
      ref.release();
      const info = JSON.parse(this.#control.info.applySync(undefined, [], { timeout: 1000 }) as string) as {
        memoryBytes: number;
      };
      this.#jobs = 0;
      this.#dirty = false;
      this.lastBoot = { bootMs: performance.now() - t0, memoryBytes: info.memoryBytes };
      this.bootError = null;
    } catch (e) {
      this.dispose();
      this.bootError = errText(e);
      this.#bootFailedAt = performance.now();
      throw e;
    }
  }

  /** Gives the next job a fresh interpreter: restores the saved state, or boots anew. */
  prepare(): void {
    if (this.#control && this.#dirty) {
      try {
        const r = JSON.parse(this.#control.reset.applySync(undefined, [], { timeout: 5000 }) as string) as {
          memoryBytes: number;
        };
        this.#dirty = false;
        if (r.memoryBytes > PYTHON_RECYCLE_MEMORY_MB * 1024 * 1024 || this.#jobs >= PYTHON_RECYCLE_AFTER_JOBS)
          this.dispose();
      } catch {
        this.dispose();
      }
    }
    if (!this.#control) {
      if (this.bootError !== null && performance.now() - this.#bootFailedAt < PYTHON_BOOT_RETRY_MS)
        throw new Error(this.bootError);
      this.boot();
    }
  }

  run(job: ResolvedJob): SandboxResult {
    const t0 = performance.now();
    const specs = job.tests ?? [
      { stdin: job.stdin, code: '', resultExpression: job.epilogue?.resultExpression ?? '' },
    ];
    const finish = (tests: SandboxTestResult[], top?: Partial<SandboxResult>): SandboxResult => {
      const first = tests.find((t) => t.status !== 'ok') ?? tests[0];
      const r: SandboxResult = {
        status: first?.status ?? 'ok',
        stdout: first?.stdout ?? '',
        stderr: first?.stderr ?? '',
        exitCode: first?.exitCode ?? null,
        wallMs: performance.now() - t0,
        cpuMs: null,
        ...top,
      };
      if (first?.error) r.error = first.error;
      if (job.tests) r.tests = tests;
      else if (first && job.epilogue) {
        r.completed = first.completed;
        if (first.value !== undefined) r.value = first.value;
      }
      return r;
    };
    const all = (status: SandboxStatus, error: SandboxErrorInfo, wallMs = 0): SandboxTestResult[] =>
      specs.map(() => ({ status, stdout: '', stderr: '', exitCode: null, error, completed: false, wallMs }));

    // The worker prepares the interpreter before and after each job; a missing one means the boot failed.
    if (this.#dirty || !this.#control)
      return finish(all('crash', { name: 'PythonBootError', message: this.bootError ?? 'no interpreter' }));
    const control = this.#control as Control;
    const iso = this.#iso as ivm.Isolate;
    this.#dirty = true;
    this.#jobs++;
    const heapMax = (PYTHON_BASE_HEAP_MB + job.memoryLimitMb) * 1024 * 1024;
    let begun: { ok: boolean; error?: { name: string; message: string; traceback: string } };
    try {
      begun = JSON.parse(
        control.begin.applySync(undefined, [job.code, PYTHON_RECURSION_LIMIT, heapMax, job.maxOutputChars], {
          timeout: Math.max(1000, job.timeoutMs),
        }) as string,
      );
    } catch (e) {
      this.dispose();
      const memory = iso.isDisposed;
      return finish(
        all(memory ? 'memory' : 'crash', {
          name: memory ? 'MemoryError' : 'PythonCrash',
          message: errText(e),
        }),
      );
    }
    if (!begun.ok) {
      const err = begun.error as { name: string; message: string; traceback: string };
      return finish(all('compile_error', { name: err.name, message: err.message, traceback: err.traceback }));
    }
    const results: SandboxTestResult[] = [];
    for (const [i, spec] of specs.entries()) {
      const ts = performance.now();
      const cpu0 = iso.cpuTime;
      let raw: string;
      try {
        raw = control.test.applySync(
          undefined,
          [spec.stdin, spec.code, spec.resultExpression, job.timeoutMs],
          {
            timeout: job.timeoutMs + PYTHON_HARD_EXTRA_MS,
          },
        ) as string;
      } catch (e) {
        // The isolate was stopped mid-flight (or ran out of V8 heap): never reused.
        const memory = iso.isDisposed;
        this.dispose();
        const timedOut = !memory && errText(e) === TIMED_OUT;
        const status: SandboxStatus = memory ? 'memory' : timedOut ? 'timeout' : 'crash';
        const error: SandboxErrorInfo = memory
          ? { name: 'MemoryError', message: 'the isolate ran out of heap' }
          : timedOut
            ? { name: 'TimeoutError', message: `wall-clock limit of ${job.timeoutMs} ms exceeded` }
            : { name: 'PythonCrash', message: errText(e) };
        results.push({
          status,
          stdout: '',
          stderr: '',
          exitCode: null,
          error,
          completed: false,
          wallMs: performance.now() - ts,
        });
        for (let k = i + 1; k < specs.length; k++)
          results.push({
            status,
            stdout: '',
            stderr: '',
            exitCode: null,
            error: {
              name: error.name,
              message: `not run: test ${i} stopped the interpreter (${error.message})`,
            },
            completed: false,
            wallMs: 0,
          });
        return finish(results);
      }
      const r = JSON.parse(raw) as PyTest;
      const wallMs = performance.now() - ts;
      results.push(judgePython(r, job, wallMs));
      void cpu0;
      if (r.fatal) {
        this.dispose();
        for (let k = i + 1; k < specs.length; k++)
          results.push({
            status: 'crash',
            stdout: '',
            stderr: '',
            exitCode: null,
            error: { name: 'PythonCrash', message: `not run: test ${i} broke the interpreter` },
            completed: false,
            wallMs: 0,
          });
        return finish(results);
      }
    }
    return finish(results);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message.replace(/ \[<isolated-vm>:\d+:\d+\]$/, '') : String(e);
}

function clipOut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Maps the harness's answer for one test to a status (the same ones as JavaScript). */
function judgePython(r: PyTest, job: ResolvedJob, wallMs: number): SandboxTestResult {
  const max = job.maxOutputChars;
  const overflow = r.overflow || r.stdout.length + r.stderr.length > max;
  const stdout = clipOut(r.stdout, max);
  const stderr = clipOut(r.stderr, Math.max(0, max - stdout.length));
  const base = { stdout, stderr, exitCode: null as number | null, completed: r.completed, wallMs };
  const out: SandboxTestResult = { status: 'ok', ...base };
  if (r.value !== undefined) out.value = r.value;
  if (overflow) {
    return {
      ...out,
      status: 'output_limit',
      error: { name: 'OutputLimitError', message: `output limit of ${max} characters exceeded` },
    };
  }
  if (r.test_error)
    return {
      ...out,
      status: 'error',
      error: { name: 'TestSyntaxError', message: r.test_error.message, traceback: r.test_error.traceback },
    };
  if (r.jsError) {
    const stack = /call stack|too much recursion/i.test(r.jsError.message);
    return stack
      ? {
          ...out,
          status: 'error',
          error: {
            name: 'RecursionError',
            message: `maximum recursion depth exceeded (the WebAssembly stack: ${r.jsError.message})`,
          },
        }
      : {
          ...out,
          status: 'crash',
          error: { name: 'PythonCrash', message: `${r.jsError.name}: ${r.jsError.message}` },
        };
  }
  if (r.escaped) {
    if (r.interrupted || wallMs >= job.timeoutMs)
      return {
        ...out,
        status: 'timeout',
        error: { name: 'TimeoutError', message: `wall-clock limit of ${job.timeoutMs} ms exceeded` },
      };
    const m = /(\w+Error|\w+Exception|KeyboardInterrupt|SystemExit)[^\n]*\n*$/.exec(r.escaped.message.trim());
    return {
      ...out,
      status: 'error',
      error: { name: m?.[1] ?? 'Error', message: r.escaped.message.slice(-1000) },
    };
  }
  if (r.exit !== undefined) {
    out.exitCode = r.exit;
    if (r.exit === 0) return out;
    return {
      ...out,
      status: 'error',
      error: { name: 'SystemExit', message: `${r.osExit ? 'os._exit' : 'exit'}(${r.exit})` },
    };
  }
  if (r.error) {
    const e = r.error;
    const info: SandboxErrorInfo = { name: e.name, message: e.message };
    if (e.traceback) info.traceback = e.traceback;
    if (e.name === 'KeyboardInterrupt' && wallMs >= job.timeoutMs)
      return {
        ...out,
        status: 'timeout',
        error: { name: 'TimeoutError', message: `wall-clock limit of ${job.timeoutMs} ms exceeded` },
      };
    if (e.name === 'MemoryError') return { ...out, status: 'memory', error: info };
    return { ...out, status: 'error', error: info };
  }
  return out;
}
