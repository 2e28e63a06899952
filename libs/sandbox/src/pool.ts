import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BAD_JOB, POOL_CLOSED, QUEUE_FULL, SandboxError } from './errors.js';
import { DEFAULT_LIMITS, type ResolvedJob, resolveJob } from './limits.js';
import { PYTHON_HARD_EXTRA_MS } from './python/runner.js';
import { transpileTypeScript } from './transpile.js';
import type { SandboxJob, SandboxLimits, SandboxResult, SandboxTestResult } from './types.js';

/** How long a worker may take to start a job it was sent (a cold Python boot on a loaded machine). */
const START_ALLOWANCE_MS = 120_000;
/** Time a Python job gets on top of its tests' limits (compiling the program, reading results back). */
const PYTHON_JOB_OVERHEAD_MS = 1000;

export interface SandboxPoolOptions {
  /** Worker processes (each runs one job at a time). Default: GRPO_SANDBOX_WORKERS or the number of cores. */
  workers?: number;
  /** Jobs waiting for a worker before `run` rejects with GRPO_SANDBOX_QUEUE_FULL. Default: GRPO_SANDBOX_MAX_QUEUE or 1024. */
  maxQueue?: number;
  /** Limits for jobs that leave them out. */
  defaults?: Partial<SandboxLimits>;
  /**
   * Supervisor deadline on top of a job's `timeoutMs`, in ms (default 1000): if the worker has
   * not answered by then (a hung isolate, a blocked thread), it is killed and the job reported as `timeout`.
   */
  graceMs?: number;
  /**
   * Boot the Python interpreter in every worker as it starts (default: GRPO_SANDBOX_BOOT_PYTHON=1,
   * else off), so that `ready()` also means Python jobs run without a cold boot (2-10 s each).
   */
  bootPython?: boolean;
}

export interface SandboxPoolStats {
  workers: number;
  busy: number;
  queued: number;
  /** Workers started to replace one that died or was killed. */
  restarts: number;
  completed: number;
}

interface Task {
  id: number;
  job: ResolvedJob;
  resolve: (r: SandboxResult) => void;
  reject: (e: Error) => void;
  startedAt: number;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  stderrTail: string;
  /** The worker announced it is exiting on purpose (see RETIRE_AFTER_CALLS). */
  retiring: boolean;
}

/** Restart storms are slowed down: more than this many worker deaths within CRASH_WINDOW_MS delays the next start. */
const CRASH_BURST = 8;
const CRASH_WINDOW_MS = 5000;
const CRASH_BACKOFF_MS = 250;
const STDERR_TAIL_CHARS = 4096;
/** What V8 prints when a process dies of heap exhaustion. */
const OOM_PATTERN = /out of memory|heap limit|allocation failed|OOM/i;

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min)
    throw new SandboxError(BAD_JOB, `${name} must be an integer >= ${min}, got ${raw}`, name);
  return v;
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new SandboxError(BAD_JOB, `${name} must be an integer in [${min}, ${max}], got ${String(v)}`, name);
  }
  return v;
}

/**
 * Supervisor of sandbox worker processes. Jobs wait in a bounded FIFO queue and run one per
 * worker; a worker that crashes, runs out of memory or misses its deadline is killed and
 * replaced, and its job gets a status (`crash`, `memory`, `timeout`) instead of an exception.
 */
export class SandboxPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly graceMs: number;
  readonly defaults: Readonly<SandboxLimits>;
  readonly bootPython: boolean;
  #slots = new Set<Slot>();
  #queue: Task[] = [];
  #nextId = 1;
  #closed = false;
  #restarts = 0;
  #completed = 0;
  #deaths: number[] = [];
  #pending = 0;

  constructor(options: SandboxPoolOptions = {}) {
    this.size = checkInt(
      'workers',
      options.workers ?? envInt('GRPO_SANDBOX_WORKERS', os.availableParallelism(), 1),
      1,
      256,
    );
    this.maxQueue = checkInt(
      'maxQueue',
      options.maxQueue ?? envInt('GRPO_SANDBOX_MAX_QUEUE', 1024, 0),
      0,
      1_000_000,
    );
    this.graceMs = checkInt('graceMs', options.graceMs ?? 1000, 0, 600_000);
    const defaults = { ...DEFAULT_LIMITS, ...options.defaults };
    resolveJob({ code: '', ...defaults }, defaults);
    this.defaults = Object.freeze(defaults);
    this.bootPython = options.bootPython ?? process.env.GRPO_SANDBOX_BOOT_PYTHON === '1';
    for (let i = 0; i < this.size; i++) this.#spawn();
  }

  stats(): SandboxPoolStats {
    let busy = 0;
    for (const s of this.#slots) if (s.task) busy++;
    return {
      workers: this.#slots.size,
      busy,
      queued: this.#queue.length,
      restarts: this.#restarts,
      completed: this.#completed,
    };
  }

  /** Process ids of the current workers (for monitoring; they change when a worker is replaced). */
  workerPids(): number[] {
    return [...this.#slots].map((s) => s.child.pid).filter((p): p is number => p !== undefined);
  }

  /** Resolves once every worker has started and is ready for jobs. */
  async ready(): Promise<void> {
    while (!this.#closed && [...this.#slots].some((s) => !s.ready))
      await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Runs one job. Resolves with its result whatever the program did; rejects only for a bad
   * job (GRPO_SANDBOX_BAD_JOB), a full queue (GRPO_SANDBOX_QUEUE_FULL) or a closed pool (GRPO_SANDBOX_CLOSED).
   */
  async run(job: SandboxJob): Promise<SandboxResult> {
    this.#admit();
    const resolved = resolveJob(job, this.defaults);
    if (resolved.tests && resolved.language !== 'python') return this.#runTestsApart(job, resolved);
    if (job.language === 'typescript') {
      const t0 = performance.now();
      this.#pending++;
      const tr = await transpileTypeScript(resolved.code).finally(() => this.#pending--);
      if (!tr.ok) {
        return {
          status: 'compile_error',
          stdout: '',
          stderr: '',
          exitCode: null,
          error: { name: 'SyntaxError', message: tr.message },
          wallMs: performance.now() - t0,
          cpuMs: null,
        };
      }
      resolved.code = tr.code;
      this.#admit();
    }
    return new Promise<SandboxResult>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, job: resolved, resolve, reject, startedAt: 0 });
      this.#dispatch();
    });
  }

  /** JavaScript/TypeScript tests run as one job each (a fresh context per run is the JS isolation unit). */
  async #runTestsApart(job: SandboxJob, resolved: ResolvedJob): Promise<SandboxResult> {
    const t0 = performance.now();
    const { tests: _t, epilogue: _e, ...rest } = job;
    const specs = resolved.tests ?? [];
    const runs = await Promise.all(
      specs.map((t) =>
        this.run({
          ...rest,
          code: t.code ? `${resolved.code}\n;{\n${t.code}\n}` : resolved.code,
          stdin: t.stdin,
          epilogue: t.resultExpression ? { resultExpression: t.resultExpression } : {},
        }),
      ),
    );
    const tests: SandboxTestResult[] = runs.map((r) => {
      const t: SandboxTestResult = {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        exitCode: r.exitCode,
        completed: r.completed === true,
        wallMs: r.wallMs,
      };
      if (r.error) t.error = r.error;
      if (r.value !== undefined) t.value = r.value;
      return t;
    });
    const first = runs.find((r) => r.status !== 'ok') ?? (runs[0] as SandboxResult);
    const out: SandboxResult = {
      status: first.status,
      stdout: first.stdout,
      stderr: first.stderr,
      exitCode: first.exitCode,
      tests,
      wallMs: performance.now() - t0,
      cpuMs: runs.every((r) => r.cpuMs !== null) ? runs.reduce((a, r) => a + (r.cpuMs as number), 0) : null,
    };
    if (first.error) out.error = first.error;
    return out;
  }

  /** How long a started job may run before the worker is killed, in ms (without graceMs). */
  static budgetMs(job: ResolvedJob): number {
    if (job.language !== 'python') return job.timeoutMs;
    return (job.tests?.length ?? 1) * (job.timeoutMs + PYTHON_HARD_EXTRA_MS) + PYTHON_JOB_OVERHEAD_MS;
  }

  #admit(): void {
    if (this.#closed) throw new SandboxError(POOL_CLOSED, 'the sandbox pool is closed');
    if (this.#queue.length + this.#pending >= this.maxQueue + this.#idleCount()) {
      throw new SandboxError(
        QUEUE_FULL,
        `sandbox queue is full (${this.#queue.length} waiting, maxQueue ${this.maxQueue}); retry later`,
      );
    }
  }

  #idleCount(): number {
    let n = 0;
    for (const s of this.#slots) if (!s.task) n++;
    return n;
  }

  /** Stops every worker; queued and running jobs reject with GRPO_SANDBOX_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const err = () => new SandboxError(POOL_CLOSED, 'the sandbox pool was closed before the job finished');
    for (const t of this.#queue.splice(0)) t.reject(err());
    const exits: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.task) slot.task.reject(err());
      slot.task = null;
      if (slot.child.exitCode === null && slot.child.signalCode === null) {
        exits.push(new Promise((r) => slot.child.once('exit', () => r())));
        // Keep the event loop alive until the exit is seen (idle workers are unref'd).
        this.#setRef(slot, true);
        slot.child.kill('SIGKILL');
      }
    }
    await Promise.all(exits);
    this.#slots.clear();
  }

  #spawn(): void {
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const entry = fileURLToPath(new URL(`./worker${ext}`, import.meta.url));
    const execArgv = [
      '--no-node-snapshot',
      ...(ext === '.ts' ? ['--conditions=source', '--import', 'tsx'] : []),
    ];
    const child = fork(entry, [], {
      execArgv,
      env: { ...process.env, GRPO_SANDBOX_BOOT_PYTHON: this.bootPython ? '1' : '0' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const slot: Slot = { child, ready: false, task: null, timer: null, stderrTail: '', retiring: false };
    this.#slots.add(slot);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      slot.stderrTail = (slot.stderrTail + d).slice(-STDERR_TAIL_CHARS);
    });
    child.on(
      'message',
      (msg: {
        ready?: boolean;
        id?: number;
        started?: boolean;
        result?: SandboxResult;
        retire?: boolean;
      }) => {
        if (msg.started) {
          const task = slot.task;
          if (task && msg.id === task.id) {
            if (slot.timer) clearTimeout(slot.timer);
            task.startedAt = performance.now();
            slot.timer = setTimeout(
              () => this.#kill(slot, task),
              SandboxPool.budgetMs(task.job) + this.graceMs,
            );
          }
          return;
        }
        if (msg.ready) {
          slot.ready = true;
          this.#setRef(slot, false);
          this.#dispatch();
          return;
        }
        const task = slot.task;
        if (!task || msg.id !== task.id || !msg.result) return;
        if (msg.retire) {
          slot.ready = false;
          slot.retiring = true;
        }
        this.#finish(slot, task, msg.result);
      },
    );
    child.on('error', () => {
      // 'exit' follows (or the process never started); both are handled there.
    });
    child.on('exit', (code, signal) => this.#onExit(slot, code, signal));
  }

  #finish(slot: Slot, task: Task, result: SandboxResult): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
    this.#completed++;
    task.resolve(result);
    // A retiring worker stays referenced until its exit is seen and its replacement forked.
    this.#setRef(slot, slot.retiring);
    this.#dispatch();
  }

  #onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.#slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = null;
    if (task) {
      const oom = OOM_PATTERN.test(slot.stderrTail);
      this.#completed++;
      task.resolve({
        status: oom ? 'memory' : 'crash',
        stdout: '',
        stderr: '',
        exitCode: null,
        error: {
          name: oom ? 'OutOfMemory' : 'WorkerCrash',
          message: `sandbox worker died (${signal ? `signal ${signal}` : `exit code ${code}`})${oom ? ' out of memory' : ''}`,
        },
        wallMs: performance.now() - task.startedAt,
        cpuMs: null,
      });
    }
    if (this.#closed) return;
    this.#restarts++;
    if (slot.retiring) {
      this.#spawn();
      return;
    }
    const now = Date.now();
    this.#deaths = this.#deaths.filter((t) => now - t < CRASH_WINDOW_MS);
    this.#deaths.push(now);
    if (this.#deaths.length > CRASH_BURST) {
      setTimeout(() => {
        if (!this.#closed) this.#spawn();
      }, CRASH_BACKOFF_MS).unref();
    } else {
      this.#spawn();
    }
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.task) continue;
      const task = this.#queue.shift() as Task;
      slot.task = task;
      task.startedAt = performance.now();
      this.#setRef(slot, true);
      // Re-armed with the job's own budget when the worker says it started (see START_ALLOWANCE_MS).
      slot.timer = setTimeout(
        () => this.#kill(slot, task),
        START_ALLOWANCE_MS + SandboxPool.budgetMs(task.job) + this.graceMs,
      );
      slot.child.send({ id: task.id, job: task.job });
    }
  }

  /** The worker missed the job's deadline (e.g. a thread blocked where V8 cannot interrupt it): kill it. */
  #kill(slot: Slot, task: Task): void {
    if (slot.task !== task) return;
    slot.task = null;
    slot.timer = null;
    // Never dispatch to this worker again; #onExit forks its replacement.
    slot.ready = false;
    this.#completed++;
    task.resolve({
      status: 'timeout',
      stdout: '',
      stderr: '',
      exitCode: null,
      error: {
        name: 'TimeoutError',
        message: `no answer within ${SandboxPool.budgetMs(task.job)} + ${this.graceMs} ms; the worker was killed`,
      },
      wallMs: performance.now() - task.startedAt,
      cpuMs: null,
    });
    slot.child.kill('SIGKILL');
  }

  /** Idle workers must not keep the host process alive; busy ones must, until their job answers. */
  #setRef(slot: Slot, on: boolean): void {
    const handles = [slot.child, slot.child.channel, slot.child.stderr] as (
      | { ref(): void; unref(): void }
      | null
      | undefined
    )[];
    for (const h of handles) {
      if (!h) continue;
      if (on) h.ref();
      else h.unref();
    }
  }
}
