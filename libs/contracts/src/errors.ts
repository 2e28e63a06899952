import { type Static, Type } from '@sinclair/typebox';

/**
 * The one error shape every service returns for every 4xx/5xx. `code` is stable and
 * machine-readable (e.g. `GRPO_REWARD_UNKNOWN_FN`); `field` is the JSON path of the
 * offending input (e.g. `items[3].completion`) when one field is to blame.
 */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code, e.g. GRPO_VALIDATION.' }),
      message: Type.String(),
      field: Type.Optional(
        Type.String({ description: 'JSON path of the offending field, e.g. items[0].id.' }),
      ),
      statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    }),
  },
  { title: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Codes shared by every service (service-specific ones live next to the service). */
export const ErrorCodes = {
  validation: 'GRPO_VALIDATION',
  badJson: 'GRPO_BAD_JSON',
  bodyTooLarge: 'GRPO_BODY_TOO_LARGE',
  unsupportedMediaType: 'GRPO_UNSUPPORTED_MEDIA_TYPE',
  notFound: 'GRPO_NOT_FOUND',
  overloaded: 'GRPO_OVERLOADED',
  shuttingDown: 'GRPO_SHUTTING_DOWN',
  timeout: 'GRPO_REQUEST_TIMEOUT',
  internal: 'GRPO_INTERNAL',
  /** 401: no, malformed or unknown API key. */
  unauthorized: 'GRPO_UNAUTHORIZED',
  /** 403: a known key without the scope the route needs. */
  forbidden: 'GRPO_FORBIDDEN',
  /** 429: the key's token bucket holds fewer items than the request costs. */
  rateLimited: 'GRPO_RATE_LIMITED',
  /** 413: one request costs more items than the key's bucket can ever hold (its burst). */
  overBurst: 'GRPO_REQUEST_OVER_BURST',
} as const;
