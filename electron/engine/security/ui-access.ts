import type { FastifyRequest } from 'fastify';
import { classifyRequestClient } from './client-address.ts';
import type { UiVia } from './request-principal.ts';
import { secretEquals } from './secret-compare.ts';
import type { SecurityServices } from './security-services.ts';
import { SESSION_COOKIE } from './session-store.ts';
import { LAUNCH_TOKEN_HEADER as HEADER_NAME, LAUNCH_TOKEN_QUERY } from '../../../shared/launch-token.ts';

/** Node lower-cases incoming header names. */
export const LAUNCH_TOKEN_HEADER = HEADER_NAME.toLowerCase();

export type UiAccess =
  | { ok: true; via: UiVia }
  | { ok: false; status: 401 | 403; error: string; message: string };

function launchTokenOf(request: FastifyRequest): string | null | undefined {
  const header = request.headers[LAUNCH_TOKEN_HEADER];
  if (Array.isArray(header)) return null;
  if (header !== undefined) return header;
  // Things the browser loads itself (img src, EventSource) cannot send headers.
  if (request.method === 'GET' || request.method === 'HEAD') {
    const query = request.query as Record<string, unknown> | undefined;
    const value = query?.[LAUNCH_TOKEN_QUERY];
    if (typeof value === 'string') return value;
    if (value !== undefined) return null;
  }
  return undefined;
}

/**
 * Whether a request without an API key is the UI (which is admin), and how it proved it:
 *   1. the desktop per-launch token (header, or ?launch_token= on GET);
 *   2. a session cookie from a password login;
 *   3. with no launch token and no password configured: a client on loopback or a private
 *      (LAN) address. A public address is refused until STABLEQUEUE_PASSWORD is set.
 * When the desktop shell configured a launch token, the token is required: any other
 * local process or browser tab reaching 127.0.0.1 is not the window.
 * When a password is set, everyone without a key must sign in, loopback included (a
 * reverse proxy on the same machine makes Internet clients look like loopback).
 */
export function resolveUiAccess(request: FastifyRequest, services: SecurityServices): UiAccess {
  const { config } = services.ctx;
  const token = launchTokenOf(request);
  if (token !== undefined) {
    if (token !== null && config.launchToken && secretEquals(token, config.launchToken)) return { ok: true, via: 'launch_token' };
    return { ok: false, status: 401, error: 'invalid_launch_token', message: 'The launch token is not this launch\'s; reload the StableQueue window.' };
  }
  if (services.sessions.isValid(request.cookies?.[SESSION_COOKIE])) return { ok: true, via: 'session' };
  if (config.launchToken) {
    return { ok: false, status: 401, error: 'launch_token_required', message: 'This StableQueue is the desktop app\'s: use its window, or call the API with an API key (Settings → API keys).' };
  }
  if (config.uiPassword) {
    return { ok: false, status: 401, error: 'login_required', message: 'This StableQueue is protected by a password: sign in (POST /api/v1/auth/login) or use an API key.' };
  }
  const where = classifyRequestClient(request.socket.remoteAddress, request.headers);
  if (where === 'loopback' || where === 'private') return { ok: true, via: 'local_network' };
  return {
    ok: false, status: 403, error: 'password_required',
    message: 'StableQueue does not answer public addresses (or requests through a proxy) without a password. Set STABLEQUEUE_PASSWORD and restart it, or use an API key.',
  };
}
