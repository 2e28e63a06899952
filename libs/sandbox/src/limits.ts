import { BAD_JOB, SandboxError } from './errors.js';
import type { SandboxJob, SandboxLimits } from './types.js';

/** Defaults for a job; chosen for HumanEval-sized programs (a few ms each). */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  timeoutMs: 1000,
  memoryLimitMb: 64,
  maxOutputChars: 64 * 1024,
});

/** Hard bounds a job's limits must fall within. */
export const LIMIT_BOUNDS = Object.freeze({
  timeoutMs: [1, 60_000],
  memoryLimitMb: [8, 1024],
  maxOutputChars: [0, 16 * 1024 * 1024],
  /** Source size of one job (code + stdin), in UTF-16 code units. */
  maxSourceChars: 4 * 1024 * 1024,
} as const);

/** A job with every limit filled in, as sent to a worker. */
export interface ResolvedJob {
  code: string;
  stdin: string;
  timeoutMs: number;
  /** null: no CPU limit beyond the wall-clock one. */
  cpuTimeMs: number | null;
  memoryLimitMb: number;
  maxOutputChars: number;
  epilogue?: { resultExpression?: string };
}

function bounded(job: SandboxJob, key: keyof SandboxLimits, defaults: SandboxLimits): number {
  const v = job[key] ?? defaults[key];
  const [lo, hi] = LIMIT_BOUNDS[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new SandboxError(BAD_JOB, `${key} must be an integer in [${lo}, ${hi}], got ${String(v)}`, key);
  }
  return v;
}

/** Validates a job and fills its limits. Throws SandboxError(BAD_JOB) naming the field. */
export function resolveJob(job: SandboxJob, defaults: SandboxLimits = DEFAULT_LIMITS): ResolvedJob {
  if (job === null || typeof job !== 'object')
    throw new SandboxError(BAD_JOB, 'job must be an object', 'job');
  if (typeof job.code !== 'string') throw new SandboxError(BAD_JOB, 'code must be a string', 'code');
  if (job.stdin !== undefined && typeof job.stdin !== 'string') {
    throw new SandboxError(BAD_JOB, 'stdin must be a string', 'stdin');
  }
  const lang = job.language ?? 'javascript';
  if (lang !== 'javascript' && lang !== 'typescript') {
    throw new SandboxError(
      BAD_JOB,
      `language must be one of javascript, typescript, got ${String(lang)}`,
      'language',
    );
  }
  const stdin = job.stdin ?? '';
  if (job.code.length + stdin.length > LIMIT_BOUNDS.maxSourceChars) {
    throw new SandboxError(BAD_JOB, `code + stdin exceed ${LIMIT_BOUNDS.maxSourceChars} chars`, 'code');
  }
  const expr = job.epilogue?.resultExpression;
  if (expr !== undefined && typeof expr !== 'string') {
    throw new SandboxError(
      BAD_JOB,
      'epilogue.resultExpression must be a string',
      'epilogue.resultExpression',
    );
  }
  const cpu = job.cpuTimeMs;
  if (
    cpu !== undefined &&
    (typeof cpu !== 'number' || !Number.isInteger(cpu) || cpu < 1 || cpu > LIMIT_BOUNDS.timeoutMs[1])
  ) {
    throw new SandboxError(
      BAD_JOB,
      `cpuTimeMs must be an integer in [1, ${LIMIT_BOUNDS.timeoutMs[1]}], got ${String(cpu)}`,
      'cpuTimeMs',
    );
  }
  const resolved: ResolvedJob = {
    code: job.code,
    stdin,
    cpuTimeMs: cpu ?? null,
    timeoutMs: bounded(job, 'timeoutMs', defaults),
    memoryLimitMb: bounded(job, 'memoryLimitMb', defaults),
    maxOutputChars: bounded(job, 'maxOutputChars', defaults),
  };
  if (job.epilogue) resolved.epilogue = expr === undefined ? {} : { resultExpression: expr };
  return resolved;
}
