import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDcmmsError } from '@dcmms/shared';
import { ApiError, ERROR_CATALOGUE, problemType, type ProblemCode } from './errors.js';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId: string;
  readonly [extension: string]: unknown;
}

const isCode = (code: string): code is ProblemCode => Object.hasOwn(ERROR_CATALOGUE, code);

/** `/devices/2/tags/5` -> `devices[2].tags[5]`, as the shared validation errors name paths. */
function jsonPointerToPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).filter((p) => p !== '');
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

/** Fastify's own client errors (body parser, content type...) and what they mean to a client. */
const FASTIFY_CODES: Readonly<Record<string, ProblemCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'DCMMS_API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'DCMMS_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'DCMMS_API_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'DCMMS_API_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'DCMMS_API_MALFORMED_JSON',
  FST_ERR_BAD_URL: 'DCMMS_API_BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'DCMMS_API_BAD_REQUEST',
};

const BY_STATUS: Readonly<Record<number, ProblemCode>> = {
  400: 'DCMMS_API_BAD_REQUEST',
  401: 'DCMMS_API_UNAUTHENTICATED',
  403: 'DCMMS_API_FORBIDDEN',
  404: 'DCMMS_API_ROUTE_NOT_FOUND',
  405: 'DCMMS_API_METHOD_NOT_ALLOWED',
  406: 'DCMMS_API_NOT_ACCEPTABLE',
  413: 'DCMMS_API_BODY_TOO_LARGE',
  415: 'DCMMS_API_UNSUPPORTED_MEDIA_TYPE',
  429: 'DCMMS_API_RATE_LIMITED',
};

export function problemOf(code: ProblemCode, detail: string, request: FastifyRequest, extensions: Record<string, unknown> = {}): ProblemBody {
  const entry = ERROR_CATALOGUE[code];
  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    detail,
    instance: request.url.split('?')[0] ?? request.url,
    code,
    requestId: String(request.id),
    ...extensions,
  };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body);
}

/** Details a client may see: small scalars and the lists that help (allowed transitions, issues). */
function publicDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k === 'cause') continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v)) out[k] = v;
  }
  return out;
}

/**
 * Every error leaves as RFC 9457 problem+json with a stable code. Client errors say what was
 * wrong; server errors say nothing about internals (the request id finds the log line).
 */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const errors = err.validation.map((v) => ({ in: where, path: jsonPointerToPath(v.instancePath), message: v.message ?? 'invalid' }));
      const detail = `${where} is invalid: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`;
      return sendProblem(reply, problemOf('DCMMS_API_VALIDATION_FAILED', detail, request, { errors: errors.slice(0, 100) }));
    }
    if (isDcmmsError(err) && isCode(err.code)) {
      const status = ERROR_CATALOGUE[err.code].status;
      if (status >= 500) request.log.error({ err }, 'request failed');
      const details = publicDetails(err.details);
      if (err.code === 'DCMMS_SITE_CONFIG_INVALID' && Array.isArray(err.details['issues'])) {
        details['errors'] = (err.details['issues'] as { path: string; message: string }[]).map((i) => ({ in: 'body', ...i }));
        delete details['issues'];
      }
      if (err.code === 'DCMMS_API_RATE_LIMITED' || err.code === 'DCMMS_API_LOGIN_LOCKED') {
        const retry = err.details['retryAfterSeconds'];
        if (typeof retry === 'number') void reply.header('retry-after', String(Math.max(1, Math.ceil(retry))));
      }
      if (status === 401) void reply.header('www-authenticate', 'Bearer realm="dcmms"');
      return sendProblem(reply, problemOf(err.code, err.message, request, details));
    }
    const mapped = (err.code && FASTIFY_CODES[err.code]) || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? BY_STATUS[err.statusCode] : undefined);
    if (mapped) {
      const detail = mapped === 'DCMMS_API_MALFORMED_JSON' ? 'the body is not valid JSON' : err.message;
      return sendProblem(reply, problemOf(mapped, detail, request));
    }
    if (err instanceof SyntaxError && err.statusCode === 400) return sendProblem(reply, problemOf('DCMMS_API_MALFORMED_JSON', 'the body is not valid JSON', request));
    // PostgreSQL's data exceptions (class 22: a character it cannot store, a number out of range)
    // come from values a schema let through: the client's input, not the server, is at fault.
    if (typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code)) {
      request.log.warn({ err }, 'value refused by the database');
      return sendProblem(reply, problemOf('DCMMS_API_BAD_REQUEST', 'a value cannot be stored (unsupported characters or out of range)', request));
    }
    request.log.error({ err }, 'request failed');
    return sendProblem(reply, problemOf('DCMMS_API_INTERNAL', 'internal error: report the request id', request));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problemOf('DCMMS_API_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, request)));
}

export { ApiError };
