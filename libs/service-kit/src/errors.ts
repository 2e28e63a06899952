import createError from '@fastify/error';
import { ErrorCodes } from '@grpo/contracts';

/** Errors the kit raises itself. Services define theirs the same way, with a `field` where one is to blame. */
export const NotFoundError = createError<[string, string]>(ErrorCodes.notFound, 'route %s %s not found', 404);
export const OverloadedError = createError(
  ErrorCodes.overloaded,
  'the service is overloaded (event loop saturated); retry later',
  503,
);
export const ShuttingDownError = createError(ErrorCodes.shuttingDown, 'the service is shutting down', 503);

/** An error that names the offending request field; the error handler puts `field` in the body. */
export class FieldError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly field: string;
  constructor(code: string, statusCode: number, field: string, message: string) {
    super(message);
    this.name = 'FieldError';
    this.code = code;
    this.statusCode = statusCode;
    this.field = field;
  }
}

/** An error with a code and status but no single field to blame (401, 403, 429). */
export class KitHttpError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, statusCode: number, message: string) {
    super(message);
    this.name = 'KitHttpError';
    this.code = code;
    this.statusCode = statusCode;
  }
}
