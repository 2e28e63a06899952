import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BAD_JOB, POOL_CLOSED, QUEUE_FULL, SandboxError } from './errors.js';
import { DEFAULT_LIMITS, type ResolvedJob, resolveJob } from './limits.js';
import { RSS_WATCH_AVAILABLE, residentMb } from './rss.js';
import { transpileTypeScript } from './transpile.js';
import type { SandboxJob, SandboxLimits, SandboxResult } from './types.js';

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
   * A busy worker whose resident memory grows by more than `2 × memoryLimitMb + rssSlackMb`
   * MiB over what it held when the job started is killed and the job reported as `memory`
   * (default GRPO_SANDBOX_RSS_SLACK_MB or 64). This bounds what the isolate's own limit does
   * not: WebAssembly memory and allocations inside a single builtin call. Linux only (/proc).
   */
  rssSlackMb?: number;
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
  /** Polls the worker's resident memory while it runs a job (see `rssSlackMb`). */
  rssTimer: NodeJS.Timeout | null;
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
const OOM_PATTERN = /out of memory|heap limit|allocation failed|OOM|is_heap_oom = 1/i;
/** How often a busy worker's resident memory is read, in ms. */
const RSS_POLL_MS = 50;

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
  readonly rssSlackMb: number;
  readonly defaults: Readonly<SandboxLimits>;
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
    this.rssSlackMb = checkInt(
      'rssSlackMb',
      options.rssSlackMb ?? envInt('GRPO_SANDBOX_RSS_SLACK_MB', 64, 16),
      16,
      65_536,
    );
    const defaults = { ...DEFAULT_LIMITS, ...options.defaults };
    resolveJob({ code: '', ...defaults }, defaults);
    this.defaults = Object.freeze(defaults);
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
      this.#clearTimers(slot);
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
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const slot: Slot = {
      child,
      ready: false,
      task: null,
      timer: null,
      rssTimer: null,
      stderrTail: '',
      retiring: false,
    };
    this.#slots.add(slot);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      slot.stderrTail = (slot.stderrTail + d).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (msg: { ready?: boolean; id?: number; result?: SandboxResult; retire?: boolean }) => {
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
    });
    child.on('error', () => {
      // 'exit' follows (or the process never started); both are handled there.
    });
    child.on('exit', (code, signal) => this.#onExit(slot, code, signal));
  }

  #clearTimers(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.rssTimer) clearInterval(slot.rssTimer);
    slot.timer = null;
    slot.rssTimer = null;
  }

  #finish(slot: Slot, task: Task, result: SandboxResult): void {
    this.#clearTimers(slot);
    slot.task = null;
    this.#completed++;
    task.resolve(result);
    // A retiring worker stays referenced until its exit is seen and its replacement forked.
    this.#setRef(slot, slot.retiring);
    this.#dispatch();
  }

  #onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.#slots.delete(slot)) return;
    this.#clearTimers(slot);
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
      slot.timer = setTimeout(() => this.#kill(slot, task, 'timeout'), task.job.timeoutMs + this.graceMs);
      this.#watchMemory(slot, task);
      slot.child.send({ id: task.id, job: task.job });
    }
  }

  #watchMemory(slot: Slot, task: Task): void {
    const pid = slot.child.pid;
    if (!RSS_WATCH_AVAILABLE || pid === undefined) return;
    const start = residentMb(pid);
    if (start === null) return;
    const boundMb = start + 2 * task.job.memoryLimitMb + this.rssSlackMb;
    slot.rssTimer = setInterval(() => {
      const rss = residentMb(pid);
      if (rss !== null && rss > boundMb) this.#kill(slot, task, 'memory', rss, boundMb);
    }, RSS_POLL_MS);
    slot.rssTimer.unref();
  }

  /**
   * The worker missed the job's deadline (e.g. a thread blocked where V8 cannot interrupt it),
   * or its memory grew past the job's bound: kill it.
   */
  #kill(slot: Slot, task: Task, why: 'timeout' | 'memory', rssMb = 0, boundMb = 0): void {
    if (slot.task !== task) return;
    slot.task = null;
    this.#clearTimers(slot);
    // Never dispatch to this worker again; #onExit forks its replacement.
    slot.ready = false;
    this.#completed++;
    task.resolve({
      status: why,
      stdout: '',
      stderr: '',
      exitCode: null,
      error:
        why === 'timeout'
          ? {
              name: 'TimeoutError',
              message: `no answer within ${task.job.timeoutMs} + ${this.graceMs} ms; the worker was killed`,
            }
          : {
              name: 'OutOfMemory',
              message: `the worker's memory grew to ${Math.round(rssMb)} MiB, past this job's bound of ${Math.round(boundMb)} MiB (2 x memoryLimitMb + ${this.rssSlackMb} over its start); the worker was killed`,
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
