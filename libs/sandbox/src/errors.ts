/** Errors of libs/sandbox. Codes are stable; services map them to HTTP statuses. */
export class SandboxError extends Error {
  readonly code: string;
  /** The offending field of the job or option, e.g. `timeoutMs`. */
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    if (field !== undefined) this.field = field;
  }
}

/** A job or pool option is invalid (maps to 400). */
export const BAD_JOB = 'GRPO_SANDBOX_BAD_JOB';
/** The pool's queue is full (maps to 503; retry later). */
export const QUEUE_FULL = 'GRPO_SANDBOX_QUEUE_FULL';
/** The pool was closed before the job ran. */
export const POOL_CLOSED = 'GRPO_SANDBOX_CLOSED';
