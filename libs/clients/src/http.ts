import type { ErrorBody } from '@grpo/contracts';

/** A non-2xx reply or a transport failure, with the service's error code and field when it sent one. */
export class ServiceClientError extends Error {
  readonly code: string;
  /** HTTP status; 0 for connection errors and timeouts. */
  readonly statusCode: number;
  readonly field?: string;
  readonly attempts: number;
  constructor(code: string, statusCode: number, message: string, attempts: number, field?: string) {
    super(message);
    this.name = 'ServiceClientError';
    this.code = code;
    this.statusCode = statusCode;
    this.field = field;
    this.attempts = attempts;
  }
}

export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:8001` (no trailing slash needed). */
  baseUrl: string;
  /** Per attempt. Default 60 s. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, 429 or connection error. Default 3. */
  retries?: number;
  /** First backoff; doubles each retry with full jitter, capped at maxBackoffMs. Default 100 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  headers?: Record<string, string>;
}

const retryable = (status: number) => status >= 500 || status === 429;

/**
 * JSON over Node's global fetch with a timeout per attempt and retries with exponential
 * backoff and full jitter (AWS architecture blog, "Exponential Backoff and Jitter") for
 * 5xx, 429 and connection errors. 4xx other than 429 are the caller's fault and are not retried.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly #opts: Required<Omit<HttpClientOptions, 'baseUrl' | 'headers'>> & {
    headers: Record<string, string>;
  };

  constructor(opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#opts = {
      timeoutMs: opts.timeoutMs ?? 60_000,
      retries: opts.retries ?? 3,
      backoffMs: opts.backoffMs ?? 100,
      maxBackoffMs: opts.maxBackoffMs ?? 5_000,
      headers: opts.headers ?? {},
    };
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const { retries, timeoutMs, backoffMs, maxBackoffMs } = this.#opts;
    let last: ServiceClientError | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      if (attempt > 1) {
        const cap = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 2));
        await new Promise((r) => setTimeout(r, Math.random() * cap));
      }
      let res: Response;
      try {
        res = await fetch(this.baseUrl + path, {
          method,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...this.#opts.headers,
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        const cause =
          err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
        last = new ServiceClientError(
          timedOut ? 'GRPO_CLIENT_TIMEOUT' : 'GRPO_CLIENT_CONNECTION',
          0,
          `${method} ${path}: ${timedOut ? `no reply within ${timeoutMs} ms` : cause} (attempt ${attempt})`,
          attempt,
        );
        continue;
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      let parsed: ErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {}
      const e = parsed?.error;
      last = new ServiceClientError(
        e?.code ?? `HTTP_${res.status}`,
        res.status,
        `${method} ${path}: ${res.status} ${e?.message ?? text.slice(0, 200)}`,
        attempt,
        e?.field,
      );
      if (!retryable(res.status)) throw last;
    }
    throw last as ServiceClientError;
  }
}
