import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import ivm from 'isolated-vm';
import type { ResolvedJob } from './limits.js';
import { RUNTIME_SOURCE } from './runtime/globals-source.js';
import type { SandboxResult, SandboxStatus } from './types.js';

/** Timer callbacks one job may run (setInterval loops end here or at the wall-clock limit). */
export const MAX_TIMER_CALLBACKS = 10_000;
/**
 * A worker process retires (exits cleanly and is replaced) after this many isolate calls in
 * total. Each timed call arms a timer that lives until its deadline even when the call returns
 * early (isolated-vm issue #572); a few hundred thousand of them crashed the process in our
 * tests (setInterval-heavy jobs), so the process is recycled well before that.
 */
export const RETIRE_AFTER_CALLS = 50_000;
/** An isolate is replaced after this many jobs, to bound heap fragmentation and compile caches. */
export const RECYCLE_AFTER_JOBS = 1000;

const TIMED_OUT = 'Script execution timed out.';
const CPU_EXCEEDED = 'grpo: cpu time limit exceeded';

interface Control {
  step: ivm.Reference<() => boolean>;
  finish: ivm.Reference<() => string>;
  exited: ivm.Reference<() => boolean>;
  overflowed: ivm.Reference<() => boolean>;
}

interface Finished {
  stdout: string;
  stderr: string;
  overflow: boolean;
  exitCode: number | null;
  completed: boolean;
  value?: string;
  late: { name: string; message: string } | null;
}

/**
 * Runs jobs in V8 isolates (isolated-vm), inside a worker process. One warm isolate is reused
 * across jobs, but every job gets a fresh context (fresh globals and built-ins), so no JS
 * state crosses from one job to the next; the isolate is thrown away after a timeout, a
 * memory-limit hit, a limit change, heavy heap use, or RECYCLE_AFTER_JOBS jobs.
 */
export class IsolateRunner {
  #isolate: ivm.Isolate | null = null;
  #runtime: ivm.Script | null = null;
  #limitMb = 0;
  #jobs = 0;
  /** Isolate entries (script runs and timer steps) made by this process so far. */
  calls = 0;

  #acquire(memoryLimitMb: number): { isolate: ivm.Isolate; runtime: ivm.Script } {
    const iso = this.#isolate;
    if (
      iso &&
      this.#runtime &&
      !iso.isDisposed &&
      this.#limitMb === memoryLimitMb &&
      this.#jobs < RECYCLE_AFTER_JOBS
    ) {
      const used = iso.getHeapStatisticsSync().used_heap_size;
      if (used < (memoryLimitMb * 1024 * 1024) / 2) return { isolate: iso, runtime: this.#runtime };
    }
    this.dispose();
    const isolate = new ivm.Isolate({ memoryLimit: memoryLimitMb });
    const runtime = isolate.compileScriptSync(RUNTIME_SOURCE, { filename: 'grpo-runtime.js' });
    this.#isolate = isolate;
    this.#runtime = runtime;
    this.#limitMb = memoryLimitMb;
    this.#jobs = 0;
    return { isolate, runtime };
  }

  dispose(): void {
    if (this.#isolate && !this.#isolate.isDisposed) this.#isolate.dispose();
    this.#isolate = null;
    this.#runtime = null;
  }

  /** Runs one JavaScript job (TypeScript is transpiled by the pool before it gets here). */
  run(job: ResolvedJob): SandboxResult {
    const t0 = performance.now();
    const deadline = t0 + job.timeoutMs;
    const remaining = () => Math.max(1, Math.floor(deadline - performance.now()));
    const { isolate, runtime } = this.#acquire(job.memoryLimitMb);
    this.#jobs++;
    const cpu0 = isolate.cpuTime;
    const token = randomBytes(16).toString('hex');
    const context = isolate.createContextSync();
    let control: Control | null = null;
    // A timed-out isolate is not reused: V8 may have stopped it in the middle of anything.
    let discard = false;
    const result = (status: SandboxStatus, extra: Partial<SandboxResult> = {}): SandboxResult => ({
      status,
      stdout: '',
      stderr: '',
      exitCode: null,
      wallMs: performance.now() - t0,
      cpuMs: isolate.isDisposed ? null : Number(isolate.cpuTime - cpu0) / 1e6,
      ...extra,
    });
    try {
      context.global.setSync(
        '__grpoConfig',
        new ivm.ExternalCopy({
          stdin: job.stdin,
          maxOutputChars: job.maxOutputChars,
          token,
          nodeVersion: process.version,
        }).copyInto(),
      );
      const ref = runtime.runSync(context, { reference: true, timeout: job.timeoutMs }) as ivm.Reference<
        Record<string, () => unknown>
      >;
      control = {
        step: ref.getSync('step', { reference: true }) as ivm.Reference<() => boolean>,
        finish: ref.getSync('finish', { reference: true }) as ivm.Reference<() => string>,
        exited: ref.getSync('exited', { reference: true }) as ivm.Reference<() => boolean>,
        overflowed: ref.getSync('overflowed', { reference: true }) as ivm.Reference<() => boolean>,
      };
      ref.release();

      let code = job.code;
      if (job.epilogue) {
        const expr = job.epilogue.resultExpression ?? 'undefined';
        code += `\n;__grpo_done(${JSON.stringify(token)}, () => (${expr}\n));\n`;
      }
      let script: ivm.Script;
      try {
        script = isolate.compileScriptSync(code, { filename: 'main.js' });
      } catch (e) {
        return result('compile_error', { error: describe(e) });
      }

      let thrown: unknown = null;
      try {
        this.calls++;
        script.runSync(context, { timeout: remaining() });
      } catch (e) {
        thrown = e;
      }
      script.release();
      const cpuLimitNs = job.cpuTimeMs === null ? null : BigInt(job.cpuTimeMs) * 1_000_000n;
      const overCpu = () => cpuLimitNs !== null && !isolate.isDisposed && isolate.cpuTime - cpu0 > cpuLimitNs;
      for (let steps = 0; thrown === null; steps++) {
        if (overCpu()) {
          thrown = new Error(CPU_EXCEEDED);
          break;
        }
        if (performance.now() >= deadline) {
          thrown = new Error(TIMED_OUT);
          break;
        }
        if (steps >= MAX_TIMER_CALLBACKS) {
          thrown = new RangeError(`more than ${MAX_TIMER_CALLBACKS} timer callbacks`);
          break;
        }
        this.calls++;
        try {
          if (!control.step.applySync(undefined, [], { timeout: remaining() })) break;
        } catch (e) {
          thrown = e;
        }
      }

      if (thrown === null && overCpu()) thrown = new Error(CPU_EXCEEDED);
      if (isolate.isDisposed) return result('memory', { error: describe(thrown) });
      const msg = thrown instanceof Error ? thrown.message : '';
      if (msg === CPU_EXCEEDED) {
        return result('timeout', {
          error: { name: 'TimeoutError', message: `CPU time limit of ${job.cpuTimeMs} ms exceeded` },
        });
      }
      if (msg === TIMED_OUT) {
        discard = true;
        // A program that hit the output cap and then swallowed the error until the deadline is reported by its first limit.
        if (control.overflowed.applySync(undefined, [], { timeout: 1000 })) {
          return result('output_limit', {
            error: {
              name: 'OutputLimitError',
              message: `output limit of ${job.maxOutputChars} characters exceeded`,
            },
          });
        }
        return result('timeout', {
          error: { name: 'TimeoutError', message: `wall-clock limit of ${job.timeoutMs} ms exceeded` },
        });
      }
      const fin = JSON.parse(
        control.finish.applySync(undefined, [], { timeout: 1000 }) as string,
      ) as Finished;
      const base: Partial<SandboxResult> = { stdout: fin.stdout, stderr: fin.stderr, exitCode: fin.exitCode };
      if (job.epilogue) {
        base.completed = fin.completed;
        if (fin.value !== undefined) base.value = fin.value;
      }
      if (fin.overflow) {
        return result('output_limit', {
          ...base,
          error: {
            name: 'OutputLimitError',
            message: `output limit of ${job.maxOutputChars} characters exceeded`,
          },
        });
      }
      if (fin.exitCode !== null) {
        if (fin.exitCode === 0) return result('ok', base);
        return result('error', {
          ...base,
          error: { name: 'ProcessExit', message: `process.exit(${fin.exitCode})` },
        });
      }
      if (thrown !== null) return result('error', { ...base, error: describe(thrown) });
      if (fin.late) return result('error', { ...base, error: fin.late });
      return result('ok', base);
    } catch (e) {
      // The runtime itself failed: memory exhausted while setting up or reading back, or a timeout there.
      if (isolate.isDisposed) return result('memory', { error: describe(e) });
      const m = e instanceof Error ? e.message : '';
      discard = true;
      if (m === TIMED_OUT) return result('timeout', { error: { name: 'TimeoutError', message: m } });
      return result('error', { error: describe(e) });
    } finally {
      // Release handles before disposing: releasing into a disposed isolate is not safe.
      if (!isolate.isDisposed) {
        if (control) for (const r of Object.values(control)) r.release();
        context.release();
      }
      if (discard) this.dispose();
    }
  }
}

/** What the host sees of an error thrown in the isolate (isolated-vm copies name and message). */
function describe(e: unknown): { name: string; message: string } {
  if (e instanceof Error) {
    const message = e.message.replace(/ \[<isolated-vm>:\d+:\d+\]$/, '');
    return { name: e.name, message };
  }
  return { name: 'Error', message: String(e) };
}
