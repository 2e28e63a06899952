/** Source language of a job. TypeScript is transpiled to JavaScript (esbuild) before it runs. */
export type SandboxLanguage = 'javascript' | 'typescript';

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
}

export interface SandboxErrorInfo {
  /** Constructor name as seen in the isolate, e.g. `AssertionError`, `TypeError`. */
  name: string;
  message: string;
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
