import type { FastifyReply } from 'fastify';
import { sendError } from '../api/errors.ts';

/** Ends a request from a hook with the API's error shape `{error, message}`. */
export function deny(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return sendError(reply, status, error, message);
}

/** 429 with Retry-After in whole seconds (at least 1). */
export function tooManyRequests(reply: FastifyReply, retryAfterMs: number, error: string, message: (seconds: number) => string): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  reply.header('Retry-After', String(seconds));
  return sendError(reply, 429, error, message(seconds));
}
