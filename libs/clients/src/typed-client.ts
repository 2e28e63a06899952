import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { baseHeaders, errorFromResponse, type HttpClientOptions } from './http.js';
import { createRetryingFetch } from './retry-fetch.js';

/** The JSON body of a request or response object of the generated `paths`. */
export type JsonBody<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** Options of every generated client: base URL, API key, timeout, retries, and openapi-fetch middleware. */
export interface TypedClientOptions extends HttpClientOptions {
  /**
   * openapi-fetch middleware, run on every request and response (the project's contract tests
   * use one to validate each response against the service's OpenAPI document).
   */
  middleware?: readonly Middleware[];
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The plumbing the generated clients share: openapi-fetch over a service's generated `paths`
 * with the bearer key, a timeout per attempt and retries with backoff for 429, 5xx and
 * connection errors that honour Retry-After; `unwrap` turns a non-2xx reply into a
 * ServiceClientError with the service's code and field.
 */
export function typedClient<Paths extends {}>(
  opts: TypedClientOptions,
): {
  raw: Client<Paths>;
  unwrap: <T>(label: string, call: Promise<FetchResult<T>>) => Promise<T>;
} {
  const raw = createClient<Paths>({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    headers: baseHeaders(opts),
    fetch: createRetryingFetch(opts),
  });
  for (const m of opts.middleware ?? []) raw.use(m);
  const unwrap = async <T>(label: string, call: Promise<FetchResult<T>>): Promise<T> => {
    const { data, error, response } = await call;
    if (!response.ok || data === undefined) throw await errorFromResponse(response, label, error);
    return data;
  };
  return { raw, unwrap };
}
