/**
 * Source language of a job. TypeScript is transpiled to JavaScript (esbuild) before it runs;
 * Python runs on CPython (the npm `pyodide` build, WebAssembly) inside the same kind of isolate.
 */
export type SandboxLanguage = 'javascript' | 'typescript' | 'python';

/**
 * How one run ended.
 * - `ok`: the program ran to the end (or called `process.exit`).
 * - `error`: an uncaught exception (an `AssertionError` included); see `error`.
 * - `compile_error`: the program does not parse or does not transpile.
 * - `timeout`: the wall-clock limit was hit (isolated-vm's timeout, or the supervisor killed the worker).
 * - `memory`: the isolate hit its heap limit (or its worker process died out of memory).
 * - `output_limit`: stdout + stderr exceeded `maxOutputChars`.
 * - `crash`: the worker process died for another reason; the pool restarted it.
 */
export type SandboxStatus =
  | 'ok'
  | 'error'
  | 'compile_error'
  | 'timeout'
  | 'memory'
  | 'output_limit'
  | 'crash';

/** One program to run in a fresh context. */
export interface SandboxJob {
  /** The program: a classic script (CommonJS style: `require`, `module.exports` are provided). */
  code: string;
  language?: SandboxLanguage;
  /** What the program sees on stdin (`fs.readFileSync(0)`, `process.stdin`, `readline`). */
  stdin?: string;
  /** Wall-clock limit of the run inside the isolate, in ms (timers included). */
  timeoutMs?: number;
  /**
   * CPU-time limit of the isolate, in ms (default: none beyond `timeoutMs`). Checked when the
   * main script and each timer callback return; `timeoutMs` stays the hard stop. Set
   * `timeoutMs` generous and this strict to grade fairly on a loaded machine.
   */
  cpuTimeMs?: number;
  /** Heap limit of the isolate, in MiB (isolated-vm's `memoryLimit`, minimum 8). */
  memoryLimitMb?: number;
  /** Cap on captured stdout + stderr, in UTF-16 code units. */
  maxOutputChars?: number;
  /**
   * When set, the runner appends a call with a secret token after `code`; the result's
   * `completed` tells whether the program reached its end (so a solution that exits early
   * cannot skip the tests that follow it), and `value` holds the JSON of this expression,
   * evaluated there (awaited when it is a promise).
   */
  epilogue?: { resultExpression?: string };
  /**
   * Several runs of the same program, each from a fresh module namespace (fresh globals), with
   * its own stdin, test code run after the program, and result expression. Python runs them all
   * in one fresh interpreter (one per job, never reused by another job); JavaScript and
   * TypeScript run each as its own job. `timeoutMs` applies to each test; the result's `tests`
   * holds one entry per test, and its top-level fields those of the first test that was not `ok`.
   */
  tests?: SandboxTestSpec[];
}

/** One run of a job's program (see `SandboxJob.tests`). */
export interface SandboxTestSpec {
  /** What the program sees on stdin. */
  stdin?: string;
  /** Code run after the program in the same namespace (e.g. assertions); compiled separately. */
  code?: string;
  /** Evaluated after `code`; its JSON comes back in `value`. */
  resultExpression?: string;
}

export interface SandboxErrorInfo {
  /** Constructor name as seen in the isolate, e.g. `AssertionError`, `TypeError`. */
  name: string;
  message: string;
  /** Python only: the traceback's last lines (the harness's own frames left out). */
  traceback?: string;
}

/** Outcome of one test of a job with `tests`. */
export interface SandboxTestResult {
  status: SandboxStatus;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  error?: SandboxErrorInfo;
  /** Whether the program, the test code and the result expression all ran to their end. */
  completed: boolean;
  value?: string;
  wallMs: number;
}

export interface SandboxResult {
  status: SandboxStatus;
  stdout: string;
  stderr: string;
  /** Code given to `process.exit`, or null when the program did not call it. */
  exitCode: number | null;
  error?: SandboxErrorInfo;
  /** Only with `epilogue`: whether the program's end was reached and its result settled. */
  completed?: boolean;
  /** Only with `epilogue.resultExpression`: JSON of the value (`undefined` is reported as absent). */
  value?: string;
  /** Only for a job with `tests`: one result per test, in order. */
  tests?: SandboxTestResult[];
  /** Time spent in the worker on this job, in ms (compile + run + timers). */
  wallMs: number;
  /** CPU time of the isolate for this job, in ms (null when the worker died). */
  cpuMs: number | null;
}

/** Limits applied when a job leaves them out. */
export interface SandboxLimits {
  timeoutMs: number;
  memoryLimitMb: number;
  maxOutputChars: number;
}
