import { ErrorBody, SandboxRunRequest, SandboxRunResponse } from '@grpo/contracts';
import { getSandboxPool } from '@grpo/sandbox';
import { BEARER_SECURITY, FieldError, type KitApp } from '@grpo/service-kit';
import type { RewardConfig } from '../config.js';

export const SANDBOX_UNSUPPORTED = 'GRPO_REWARD_SANDBOX_UNSUPPORTED';
export const SANDBOX_BUSY = 'GRPO_REWARD_SANDBOX_BUSY';

/** Languages the sandbox runs (python: CPython from the npm `pyodide` build, in the same isolates). */
const LANGUAGES = ['javascript', 'python'] as const;

/** A FIFO counting semaphore: at most `limit` holders, at most `maxQueue` waiters. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(
    readonly limit: number,
    readonly maxQueue: number,
  ) {}
  get running(): number {
    return this.active;
  }
  get queued(): number {
    return this.waiters.length;
  }
  /** Resolves once a slot is held; false (without waiting) when the queue is full. */
  async acquire(): Promise<boolean> {
    if (this.active < this.limit) {
      this.active++;
      return true;
    }
    if (this.waiters.length >= this.maxQueue) return false;
    await new Promise<void>((r) => this.waiters.push(r));
    return true;
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * `POST /v1/sandbox/run`: one program of a rollout's tool call, in the same sandbox pool as the
 * code reward, behind one concurrency limit for every caller (so tool execution scales with
 * the reward replicas and cannot starve scoring).
 */
export function sandboxRunRoute(app: KitApp, config: Readonly<RewardConfig>): void {
  const gate = new Semaphore(config.sandboxConcurrency, config.sandboxMaxQueue);
  app.post(
    '/v1/sandbox/run',
    {
      config: { scope: 'score' },
      schema: {
        tags: ['sandbox'],
        summary: 'Run one program in the sandbox (a tool call of a rollout)',
        description:
          'Statuses as libs/sandbox: ok, error, compile_error, timeout, memory, output_limit, crash. At most ' +
          'sandboxConcurrency programs run at once; queueMs is the wait. Costs one rate-limit token.',
        security: BEARER_SECURITY,
        body: SandboxRunRequest,
        response: {
          200: SandboxRunResponse,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (!(LANGUAGES as readonly string[]).includes(b.language))
        throw new FieldError(
          SANDBOX_UNSUPPORTED,
          400,
          'language',
          `language ${b.language} is not supported by this sandbox build (supported: ${LANGUAGES.join(', ')})`,
        );
      app.access.charge(request, reply, 1);
      const t0 = performance.now();
      if (!(await gate.acquire()))
        throw new FieldError(
          SANDBOX_BUSY,
          503,
          'code',
          `${gate.queued} programs wait for the sandbox (sandboxMaxQueue ${config.sandboxMaxQueue}); retry later`,
        );
      const queueMs = performance.now() - t0;
      try {
        const r = await getSandboxPool().run({
          code: b.code,
          language: b.language,
          ...(b.timeoutMs !== undefined ? { timeoutMs: b.timeoutMs } : {}),
          ...(b.memoryLimitMb !== undefined ? { memoryLimitMb: b.memoryLimitMb } : {}),
          ...(b.maxOutputChars !== undefined ? { maxOutputChars: b.maxOutputChars } : {}),
        });
        return {
          status: r.status,
          stdout: r.stdout,
          stderr: r.stderr,
          ...(r.error ? { error: { name: r.error.name, message: r.error.message } } : {}),
          wallMs: r.wallMs,
          queueMs,
        };
      } finally {
        gate.release();
      }
    },
  );
}
