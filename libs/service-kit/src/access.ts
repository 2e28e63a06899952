import { ErrorCodes } from '@grpo/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ApiKey, KeyRing } from './api-keys.js';
import { FieldError, KitHttpError } from './errors.js';
import { isOpenPath } from './openapi.js';
import { TokenBucket } from './token-bucket.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a key needs for this route (e.g. `score`); none = any known key. */
    scope?: string;
  }
  interface FastifyRequest {
    /** The caller's key (name, scopes); undefined when the service is open or the route is. */
    apiKey?: ApiKey;
  }
  interface FastifyInstance {
    access: {
      /** True when no key is configured and every route is open. */
      readonly open: boolean;
      /**
       * Charges `costItems` to the caller's token bucket: sets the X-RateLimit-* headers, and
       * throws 429 (with Retry-After) when the bucket is short, or 413 when the cost exceeds
       * what the bucket can ever hold. Call it after the request's own limits passed.
       */
      charge(request: FastifyRequest, reply: FastifyReply, costItems: number): void;
    };
  }
}

export interface AccessOptions {
  keys: readonly ApiKey[];
  /** `GET /metrics` needs a key with scope `metrics` (or `*`). */
  metricsAuth: boolean;
  /** Default refill, items per second; 0 = no limit. */
  rateItemsPerS: number;
  /** Default bucket size; 0 = 10 s of rate. */
  burstItems: number;
  /** `realm` of WWW-Authenticate, e.g. `grpo-reward`. */
  realm: string;
  /** Env var prefix of the service's settings, e.g. `GRPO_REWARD_`, named in the startup warning. */
  envPrefix: string;
}

const HOW = 'send it as the header `Authorization: Bearer <key>`';

/**
 * API keys and per-key rate limits. onRequest (before the body is parsed, so unauthenticated
 * callers cost almost nothing): 401 for a missing, malformed or unknown bearer token, with
 * `WWW-Authenticate: Bearer` (RFC 6750 section 3); 403 for a known key without the route's
 * scope. Rate limiting is charged by the route (`app.access.charge`) once it knows the
 * request's item count. With no keys configured every route is open and requests share
 * one `anonymous` bucket.
 */
export const accessPlugin = fp(
  async (app: FastifyInstance, opts: AccessOptions) => {
    const ring = new KeyRing(opts.keys);
    const open = ring.size === 0;
    const buckets = new Map<string, TokenBucket>();
    if (open)
      app.log.warn(
        `no API keys configured: every route is open (set ${opts.envPrefix}API_KEYS or ${opts.envPrefix}API_KEYS_FILE)`,
      );
    else app.log.info({ keys: ring.names, metricsAuth: opts.metricsAuth }, 'API keys loaded');

    const unauthorized = (reply: FastifyReply, error: string | undefined, message: string) => {
      reply.header('www-authenticate', `Bearer realm="${opts.realm}"${error ? `, error="${error}"` : ''}`);
      return new KitHttpError(ErrorCodes.unauthorized, 401, message);
    };

    app.addHook('onRequest', async (request, reply) => {
      if (open) return;
      const path = request.url.split('?')[0] ?? '';
      // The same rule gives the OpenAPI document its `security: []` operations.
      if (isOpenPath(path, opts.metricsAuth)) return;
      const isMetrics = path === '/metrics';
      const header = request.headers.authorization;
      if (header === undefined || header === '') {
        throw unauthorized(reply, undefined, `missing API key: ${HOW}`);
      }
      const m = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
      if (!m) {
        throw unauthorized(reply, 'invalid_request', `malformed Authorization header: ${HOW}`);
      }
      const key = ring.find(m[1]!);
      if (!key) {
        throw unauthorized(
          reply,
          'invalid_token',
          `unknown API key: check the key you ${HOW.replace('send it', 'send')}; keys are set by the operator`,
        );
      }
      request.apiKey = key;
      // The key's name (never the key) is on every later log line of this request.
      request.log = request.log.child({ apiKey: key.name });
      const scope = isMetrics ? 'metrics' : request.routeOptions.config?.scope;
      if (scope && !key.scopes.includes('*') && !key.scopes.includes(scope)) {
        throw new KitHttpError(
          ErrorCodes.forbidden,
          403,
          `key "${key.name}" may not call ${request.method} ${path}: the route needs scope "${scope}" ` +
            `and the key has ${key.scopes.map((s) => `"${s}"`).join(', ')}; ask the operator for a key with that scope`,
        );
      }
    });

    const bucketFor = (key: ApiKey | undefined): TokenBucket | undefined => {
      const name = key?.name ?? 'anonymous';
      let bucket = buckets.get(name);
      if (bucket) return bucket;
      const rate = key?.rateItemsPerS ?? opts.rateItemsPerS;
      if (rate <= 0) return undefined;
      const burst = key?.burstItems || opts.burstItems || Math.ceil(rate * 10);
      bucket = new TokenBucket(rate, Math.max(1, burst));
      buckets.set(name, bucket);
      return bucket;
    };

    app.decorate('access', {
      open,
      charge(request: FastifyRequest, reply: FastifyReply, costItems: number) {
        const bucket = bucketFor(request.apiKey);
        if (!bucket || costItems <= 0) return;
        const who = request.apiKey ? `key "${request.apiKey.name}"` : 'anonymous callers';
        if (costItems > bucket.burstItems) {
          throw new FieldError(
            ErrorCodes.overBurst,
            413,
            'items',
            `this request has ${costItems} items but ${who} can send at most ${bucket.burstItems} ` +
              `per request (burst); split it into smaller requests`,
          );
        }
        const r = bucket.charge(costItems);
        reply.header('x-ratelimit-limit', String(r.limit));
        reply.header('x-ratelimit-remaining', String(r.remaining));
        reply.header('x-ratelimit-reset', String(r.resetS));
        if (!r.allowed) {
          reply.header('retry-after', String(r.retryAfterS));
          throw new KitHttpError(
            ErrorCodes.rateLimited,
            429,
            `${who} is over its rate limit of ${bucket.ratePerS} items/s (burst ${bucket.burstItems}): ` +
              `this request costs ${costItems} items and ${r.remaining} are available; retry after ${r.retryAfterS} s`,
          );
        }
      },
    });
  },
  { name: 'grpo-access', fastify: '5.x' },
);
