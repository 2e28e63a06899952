import type { ErrorBody } from '@grpo/contracts';
import { ServiceClientError } from './errors.js';
import { createRetryingFetch, type RetryOptions, responseAttempts } from './retry-fetch.js';

export { ServiceClientError } from './errors.js';

export interface HttpClientOptions extends RetryOptions {
  /** e.g. `http://127.0.0.1:8001` (no trailing slash needed). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Turns a non-2xx response into a ServiceClientError with the service's code and field. */
export async function errorFromResponse(
  res: Response,
  label: string,
  body?: unknown,
): Promise<ServiceClientError> {
  let parsed = body as ErrorBody | undefined;
  let text = '';
  if (parsed === undefined) {
    text = await res.text().catch(() => '');
    try {
      parsed = JSON.parse(text) as ErrorBody;
    } catch {}
  }
  const e = parsed?.error;
  if (!e && res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location');
    return new ServiceClientError(
      `HTTP_${res.status}`,
      res.status,
      `${label}: ${res.status} redirect${to ? ` to ${to.slice(0, 200)}` : ''} not followed; point the client at the service itself`,
      responseAttempts(res),
    );
  }
  return new ServiceClientError(
    e?.code ?? `HTTP_${res.status}`,
    res.status,
    `${label}: ${res.status} ${e?.message ?? text.slice(0, 200)}`,
    responseAttempts(res),
    e?.field,
  );
}

/** The headers every request of a client sends. */
export function baseHeaders(opts: Pick<HttpClientOptions, 'apiKey' | 'headers'>): Record<string, string> {
  return {
    accept: 'application/json',
    ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
    ...opts.headers,
  };
}

/**
 * Untyped JSON over fetch with the same retries as the typed clients, for services that
 * have no generated client yet. The reward service has one: `createRewardClient`.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly #fetch: (input: Request) => Promise<Response>;
  readonly #headers: Record<string, string>;

  constructor(opts: HttpClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = createRetryingFetch(opts);
    this.#headers = baseHeaders(opts);
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(
      new Request(this.baseUrl + path, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.#headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }),
    );
    if (!res.ok) throw await errorFromResponse(res, `${method} ${path}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
