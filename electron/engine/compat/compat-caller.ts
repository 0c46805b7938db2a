/**
 * Who is calling a compatibility facade. A1111 and ComfyUI have one user per server, so
 * their clients expect `/progress`, `/queue` or `/interrupt` to mean "my work"; here many
 * clients share one queue, so each facade call acts only on the caller's own jobs. A caller
 * with an API key is that key; a keyless caller (the local UI path) is told apart by its
 * User-Agent, which is also the client's name shown in the Queue.
 */
import type { FastifyRequest } from 'fastify';

export interface CompatCaller {
  /** Stable identity kept with each job the caller submits. */
  id: string;
  apiKeyId: string | null;
  /** From the User-Agent, e.g. "SillyTavern/1.12" or "python-urllib/3.11"; null when absent. */
  clientName: string | null;
}

const CLIENT_NAME_MAX_CHARS = 120;

export function clientNameOf(request: FastifyRequest): string | null {
  const agent = request.headers['user-agent'];
  const name = (Array.isArray(agent) ? agent[0] : agent)?.trim();
  return name ? name.slice(0, CLIENT_NAME_MAX_CHARS) : null;
}

export function compatCaller(request: FastifyRequest): CompatCaller {
  const clientName = clientNameOf(request);
  const apiKeyId = request.apiKeyId ?? null;
  return { id: apiKeyId ? `key:${apiKeyId}` : `agent:${clientName ?? ''}`, apiKeyId, clientName };
}
