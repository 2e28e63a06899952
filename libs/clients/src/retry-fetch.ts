import { ServiceClientError } from './errors.js';

export interface RetryOptions {
  /** Per attempt. Default 60 s; a timeout is `GRPO_CLIENT_TIMEOUT`. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, 429 or connection error. Default 3. */
  retries?: number;
  /** First backoff; doubles each retry with full jitter, capped at maxBackoffMs. Default 100 ms. */
  backoffMs?: number;
  /** Default 5 s. */
  maxBackoffMs?: number;
  /** Longest Retry-After honoured; a longer one fails the call instead of sleeping. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Called before each retry (metrics, logs): what failed and how long the backoff sleeps. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** `POST /v1/rewards` */
  label: string;
  /** The attempt about to be made (2 = the first retry). */
  attempt: number;
  /** HTTP status of the failed attempt, or 0 for a timeout or connection error. */
  status: number;
  /** `HTTP_503`, `GRPO_CLIENT_TIMEOUT`, `GRPO_CLIENT_CONNECTION`. */
  reason: string;
  sleepMs: number;
}

/** The statuses worth another attempt: overload, rate limits and server faults. */
export const isRetryableStatus = (status: number): boolean => status >= 500 || status === 429;

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const date = Date.parse(s);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fetch for one request that retries 5xx, 429 and connection errors with exponential
 * backoff and full jitter (AWS architecture blog, "Exponential Backoff and Jitter"), waiting at
 * least the server's Retry-After. Resolves with the last Response (the caller reads its error
 * body); rejects with ServiceClientError only when no response came at all. 4xx other than
 * 429 are the caller's fault and are returned at once.
 */
export function createRetryingFetch(opts: RetryOptions = {}): (input: Request) => Promise<Response> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 100;
  const maxBackoffMs = opts.maxBackoffMs ?? 5_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
  return async (input: Request) => {
    // The body is read once so every attempt can send it again.
    const body = input.body ? await input.arrayBuffer() : undefined;
    const label = `${input.method} ${new URL(input.url).pathname}`;
    let waitMs = 0;
    let lastError: ServiceClientError | undefined;
    let lastStatus = 0;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        const cap = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 2));
        const sleepMs = Math.max(waitMs, Math.random() * cap);
        opts.onRetry?.({
          label,
          attempt,
          status: lastStatus,
          reason: lastStatus ? `HTTP_${lastStatus}` : (lastError?.code ?? 'GRPO_CLIENT_CONNECTION'),
          sleepMs,
        });
        await sleep(sleepMs);
      }
      let res: Response;
      try {
        res = await fetch(input.url, {
          method: input.method,
          headers: input.headers,
          body,
          // A redirect is returned as the response, never followed: the services do not
          // redirect, and following one would resend the body and the bearer key elsewhere.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        const cause =
          err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        lastError = new ServiceClientError(
          timedOut ? 'GRPO_CLIENT_TIMEOUT' : 'GRPO_CLIENT_CONNECTION',
          0,
          `${label}: ${timedOut ? `no reply within ${timeoutMs} ms` : cause} (attempt ${attempt})`,
          attempt,
        );
        waitMs = 0;
        lastStatus = 0;
        continue;
      }
      if (!isRetryableStatus(res.status) || attempt === retries + 1) return tagAttempts(res, attempt);
      const after = retryAfterMs(res.headers.get('retry-after'));
      if (after !== undefined && after > maxRetryAfterMs) return tagAttempts(res, attempt);
      waitMs = after ?? 0;
      lastStatus = res.status;
      await res.body?.cancel();
    }
    throw lastError as ServiceClientError;
  };
}

const attemptsOf = new WeakMap<Response, number>();
function tagAttempts(res: Response, attempt: number): Response {
  attemptsOf.set(res, attempt);
  return res;
}
/** How many attempts produced this response (1 when it was not retried). */
export function responseAttempts(res: Response): number {
  return attemptsOf.get(res) ?? 1;
}
