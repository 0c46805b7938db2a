import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../domain-error.ts';
import { answerFor } from './error-answers.ts';
import { isUnder } from '../security/request-paths.ts';

/** An error a route throws on purpose: it becomes `{error, message, details?}` with its status. */
export class ApiError extends DomainError {}

/**
 * Sends `{error, message, details?}`. On /api/v2 MobileSD's shape instead: its
 * clients print `error`, so it carries the sentence and the code moves to `code`.
 */
export function sendError(reply: FastifyReply, status: number, error: string, message: string, details?: unknown) {
  const body = isUnder(reply.request, '/api/v2') ? { error: message, code: error, message } : { error, message };
  return reply.code(status).send(details === undefined ? body : { ...body, details });
}

function describeValidation(error: FastifyError): { message: string; details: unknown } {
  const items = (error.validation ?? []).slice(0, 10).map((v) => ({
    field: `${error.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.') || ''}`,
    problem: v.message ?? 'is invalid',
    ...(v.params && Object.keys(v.params).length ? { params: v.params } : {}),
  }));
  const first = items[0];
  return {
    message: first ? `Invalid request: ${first.field} ${first.problem}.` : 'Invalid request.',
    details: items,
  };
}

/** Every failure leaves as a clear 4xx `{error, message, details?}`; 500 only for real bugs, logged. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = answerFor(error);
    if (answer) return sendError(reply, answer.status, answer.code, answer.message, answer.details);
    if (error.validation) {
      const { message, details } = describeValidation(error);
      return sendError(reply, 400, 'validation_error', message, details);
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'body_too_large', 'The request body is larger than StableQueue accepts.');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'unsupported_media_type', 'Send the body as application/json.');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'invalid_json', 'The body is empty; send a JSON object.');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendError(reply, 400, 'invalid_json', 'The body is not valid JSON.');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      if (error instanceof SyntaxError) return sendError(reply, 400, 'invalid_json', 'The body is not valid JSON.');
      return sendError(reply, error.statusCode, error.code?.toLowerCase() ?? 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, 'internal_error', 'StableQueue hit an unexpected error; it has been logged.');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
}
