import { type ErrorBody, ErrorCodes } from '@grpo/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import { NotFoundError } from './errors.js';

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** `/items/0/completion` -> `items[0].completion` (the JSON path users read in docs). */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out;
}

/** The field an ajv issue blames, including the missing or extra property name. */
export function fieldOfIssue(issue: AjvIssue): string {
  let path = pointerToPath(issue.instancePath ?? '');
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof extra === 'string') path = path ? `${path}.${extra}` : extra;
  return path;
}

const fastifyCodes: Record<string, { code: string; field?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCodes.badJson, field: 'body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ErrorCodes.badJson, field: 'body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ErrorCodes.bodyTooLarge, field: 'body' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ErrorCodes.badJson, field: 'body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ErrorCodes.unsupportedMediaType, field: 'content-type' },
};

/** Shapes any thrown error as `{error: {code, message, field?, statusCode}}`. */
export function toErrorBody(err: FastifyError & { field?: unknown }): ErrorBody {
  if (err.validation && err.validation.length > 0) {
    const issue = err.validation[0] as AjvIssue;
    const field = fieldOfIssue(issue);
    const where =
      err.validationContext && err.validationContext !== 'body' ? `${err.validationContext}.` : '';
    const fullField = `${where}${field}` || (err.validationContext ?? 'body');
    return {
      error: {
        code: ErrorCodes.validation,
        message: `${fullField} ${issue.message ?? 'is invalid'}`,
        field: fullField,
        statusCode: 400,
      },
    };
  }
  const mapped = err.code ? fastifyCodes[err.code] : undefined;
  // A SyntaxError from the JSON body parser carries statusCode 400 and no FST code on some paths.
  const isJsonSyntax = err instanceof SyntaxError && err.statusCode === 400;
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  const code =
    mapped?.code ?? (isJsonSyntax ? ErrorCodes.badJson : undefined) ?? err.code ?? ErrorCodes.internal;
  const field =
    typeof err.field === 'string' ? err.field : (mapped?.field ?? (isJsonSyntax ? 'body' : undefined));
  const message = status >= 500 && !err.code ? 'internal error' : err.message;
  return {
    error: {
      code: status >= 500 && !err.code ? ErrorCodes.internal : code,
      message,
      ...(field ? { field } : {}),
      statusCode: status,
    },
  };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = toErrorBody(err);
    if (body.error.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.error.code, field: body.error.field }, body.error.message);
    if (body.error.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return reply.status(body.error.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new NotFoundError(request.method, request.url.split('?')[0] ?? request.url);
    return reply.status(404).send(toErrorBody(err as FastifyError));
  });
}
