import { BAD_JOB, SandboxError } from './errors.js';
import type { SandboxJob, SandboxLanguage, SandboxLimits, SandboxTestSpec } from './types.js';

export const LANGUAGES: readonly SandboxLanguage[] = Object.freeze(['javascript', 'typescript', 'python']);
/** Most tests one job may hold. */
export const MAX_TESTS = 1000;

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
  language: SandboxLanguage;
  code: string;
  stdin: string;
  timeoutMs: number;
  /** null: no CPU limit beyond the wall-clock one. */
  cpuTimeMs: number | null;
  memoryLimitMb: number;
  maxOutputChars: number;
  epilogue?: { resultExpression?: string };
  tests?: Required<SandboxTestSpec>[];
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
  if (!LANGUAGES.includes(lang)) {
    throw new SandboxError(
      BAD_JOB,
      `language must be one of ${LANGUAGES.join(', ')}, got ${String(lang)}`,
      'language',
    );
  }
  const stdin = job.stdin ?? '';
  let size = job.code.length + stdin.length;
  let tests: Required<SandboxTestSpec>[] | undefined;
  if (job.tests !== undefined) {
    if (!Array.isArray(job.tests) || job.tests.length === 0 || job.tests.length > MAX_TESTS)
      throw new SandboxError(BAD_JOB, `tests must be an array of 1 to ${MAX_TESTS} tests`, 'tests');
    tests = job.tests.map((t, i) => {
      if (t === null || typeof t !== 'object')
        throw new SandboxError(BAD_JOB, `tests[${i}] must be an object`, `tests[${i}]`);
      for (const k of ['stdin', 'code', 'resultExpression'] as const) {
        if (t[k] !== undefined && typeof t[k] !== 'string')
          throw new SandboxError(BAD_JOB, `tests[${i}].${k} must be a string`, `tests[${i}].${k}`);
      }
      const r = { stdin: t.stdin ?? '', code: t.code ?? '', resultExpression: t.resultExpression ?? '' };
      size += r.stdin.length + r.code.length + r.resultExpression.length;
      return r;
    });
  }
  if (size > LIMIT_BOUNDS.maxSourceChars) {
    throw new SandboxError(
      BAD_JOB,
      `code + stdin + tests exceed ${LIMIT_BOUNDS.maxSourceChars} chars`,
      'code',
    );
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
    language: lang,
    code: job.code,
    stdin,
    cpuTimeMs: cpu ?? null,
    timeoutMs: bounded(job, 'timeoutMs', defaults),
    memoryLimitMb: bounded(job, 'memoryLimitMb', defaults),
    maxOutputChars: bounded(job, 'maxOutputChars', defaults),
  };
  if (tests) resolved.tests = tests;
  if (job.epilogue) resolved.epilogue = expr === undefined ? {} : { resultExpression: expr };
  return resolved;
}
