import { ErrorBody, RunCodeRequest, RunCodeResponse } from '@grpo/contracts';
import { getSandboxPool } from '@grpo/rewards';
import { BEARER_SECURITY, FieldError, type KitApp } from '@grpo/service-kit';

/** run_timeout when the request leaves it out, in seconds (SandboxFusion's default). */
export const DEFAULT_RUN_TIMEOUT_S = 10;
/** Longest run_timeout honoured, in seconds (the sandbox's bound). */
export const MAX_RUN_TIMEOUT_S = 60;

type Sandbox = ReturnType<typeof getSandboxPool>;
type Result = Awaited<ReturnType<Sandbox['run']>>;

/** Maps a sandbox result to SandboxFusion's response. */
export function toRunCodeResponse(r: Result): RunCodeResponse {
  const seconds = Math.round(r.wallMs) / 1000;
  const trace = r.error
    ? r.error.traceback
      ? `Traceback (most recent call last):\n${r.error.traceback}\n`
      : `${r.error.name}: ${r.error.message}\n`
    : '';
  const run = (status: 'Finished' | 'TimeLimitExceeded', code: number | null, stderr = r.stderr) => ({
    status,
    execution_time: seconds,
    return_code: code,
    stdout: r.stdout,
    stderr,
  });
  const base = { message: '', compile_result: null, executor_pod_name: null, files: {} };
  switch (r.status) {
    case 'ok':
      return { ...base, status: 'Success', run_result: run('Finished', r.exitCode ?? 0) };
    case 'timeout':
      return { ...base, status: 'Failed', run_result: run('TimeLimitExceeded', null, r.stderr + trace) };
    case 'crash':
      return { ...base, status: 'SandboxError', message: trace.trim(), run_result: null };
    case 'memory':
      // What a process killed for memory reports (128 + SIGKILL).
      return { ...base, status: 'Failed', run_result: run('Finished', 137, r.stderr + trace) };
    default:
      return {
        ...base,
        status: 'Failed',
        run_result: run('Finished', r.exitCode && r.exitCode !== 0 ? r.exitCode : 1, r.stderr + trace),
      };
  }
}

/**
 * SandboxFusion-compatible `POST /run_code` (verl's `sandbox_fusion` reward, and other
 * SandboxFusion users, can point at this service): runs one program in the code sandbox.
 */
export function runCodeRoute(app: KitApp): void {
  app.post(
    '/run_code',
    {
      config: { scope: 'score' },
      schema: {
        tags: ['compat'],
        summary: 'SandboxFusion run_code',
        description:
          'Runs one program (python, nodejs/javascript, typescript) in the isolated-vm sandbox with stdin; ' +
          'run_timeout in seconds (default 10, at most 60), memory_limit_MB clipped to [8, 1024]. ' +
          'files, fetch_files and compile_timeout are ignored. Costs one rate-limit token (API key scope: score).',
        security: BEARER_SECURITY,
        body: RunCodeRequest,
        response: {
          200: RunCodeResponse,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const b = request.body;
      const seconds = Math.min(b.run_timeout ?? DEFAULT_RUN_TIMEOUT_S, MAX_RUN_TIMEOUT_S);
      const mem = b.memory_limit_MB;
      const job = {
        code: b.code,
        language: b.language === 'nodejs' ? ('javascript' as const) : b.language,
        stdin: b.stdin ?? '',
        timeoutMs: Math.max(1, Math.round(seconds * 1000)),
        ...(mem !== undefined && mem > 0
          ? { memoryLimitMb: Math.min(1024, Math.max(8, Math.round(mem))) }
          : {}),
      };
      try {
        return toRunCodeResponse(await getSandboxPool().run(job));
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'GRPO_SANDBOX_QUEUE_FULL' || code === 'GRPO_SANDBOX_CLOSED')
          throw new FieldError(code, 503, 'code', (e as Error).message);
        if (code === 'GRPO_SANDBOX_BAD_JOB')
          throw new FieldError(code, 400, (e as { field?: string }).field ?? 'code', (e as Error).message);
        throw e;
      }
    },
  );
}
