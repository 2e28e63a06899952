import type { SandboxRunRequest, SandboxRunResponse, ToolName } from '@grpo/contracts';
import { SandboxPool } from '@grpo/sandbox';

/**
 * Tools the sandbox runs: JavaScript, and Python (CPython from the npm `pyodide` build inside
 * the same isolated-vm isolates, libs/sandbox `language: 'python'`). A tool missing here is
 * refused with GRPO_ROLLOUT_UNSUPPORTED.
 */
export const SANDBOX_TOOLS: readonly ToolName[] = ['javascript', 'python'];

/** One program's run: the sandbox statuses, or infra_error when it could not run at all. */
export interface ToolRun {
  status: SandboxRunResponse['status'] | 'infra_error';
  stdout: string;
  stderr: string;
  error?: { name: string; message: string };
  /** Round trip of the call as the rollout service saw it. */
  wallMs: number;
  /** Why the call failed to run (infra_error only). */
  detail?: string;
}

/** Runs tool programs: over REST in the reward service (default) or in a local sandbox pool. */
export interface ToolExecutor {
  readonly kind: 'rest' | 'inprocess';
  readonly tools: readonly ToolName[];
  run(req: SandboxRunRequest): Promise<ToolRun>;
  close(): Promise<void>;
}

/** A sandbox pool in the rollout process (single-machine runs); its workers start on the first call. */
export class InProcessExecutor implements ToolExecutor {
  readonly kind = 'inprocess' as const;
  readonly tools = SANDBOX_TOOLS;
  private poolRef: SandboxPool | null = null;

  constructor(private readonly workers: number) {}

  private get pool(): SandboxPool {
    this.poolRef ??= new SandboxPool({ workers: this.workers });
    return this.poolRef;
  }

  async run(req: SandboxRunRequest): Promise<ToolRun> {
    const t0 = performance.now();
    if (!this.tools.includes(req.language))
      return {
        status: 'infra_error',
        stdout: '',
        stderr: '',
        wallMs: 0,
        detail: `${req.language} is not supported`,
      };
    try {
      const r = await this.pool.run({
        code: req.code,
        language: req.language,
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        ...(req.memoryLimitMb !== undefined ? { memoryLimitMb: req.memoryLimitMb } : {}),
        ...(req.maxOutputChars !== undefined ? { maxOutputChars: req.maxOutputChars } : {}),
      });
      return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        ...(r.error ? { error: r.error } : {}),
        wallMs: performance.now() - t0,
      };
    } catch (err) {
      return {
        status: 'infra_error',
        stdout: '',
        stderr: '',
        wallMs: performance.now() - t0,
        detail: (err as Error).message,
      };
    }
  }

  async close(): Promise<void> {
    await this.poolRef?.close();
    this.poolRef = null;
  }
}

/** `POST <url>/v1/sandbox/run` on a reward service; any transport or 5xx failure is an infra_error. */
export class RestExecutor implements ToolExecutor {
  readonly kind = 'rest' as const;
  readonly tools = SANDBOX_TOOLS;

  constructor(
    private readonly url: string,
    private readonly options: { apiKey?: string; graceMs: number },
  ) {}

  async run(req: SandboxRunRequest): Promise<ToolRun> {
    const t0 = performance.now();
    const fail = (detail: string): ToolRun => ({
      status: 'infra_error',
      stdout: '',
      stderr: '',
      wallMs: performance.now() - t0,
      detail,
    });
    try {
      const res = await fetch(`${this.url.replace(/\/$/, '')}/v1/sandbox/run`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify(req),
        // Never followed: the key and the code would go wherever a Location points.
        redirect: 'manual',
        // The sandbox's own timeout plus the queue and the hop.
        signal: AbortSignal.timeout((req.timeoutMs ?? 1000) + this.options.graceMs),
      });
      if (!res.ok) return fail(`reward service answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const body = (await res.json()) as SandboxRunResponse;
      return {
        status: body.status,
        stdout: body.stdout,
        stderr: body.stderr,
        ...(body.error ? { error: body.error } : {}),
        wallMs: performance.now() - t0,
      };
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  async close(): Promise<void> {}
}
