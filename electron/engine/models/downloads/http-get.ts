import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** No response headers within this time fails the request. */
  headersTimeoutMs: number;
  /** No bytes on the socket for this long fails the transfer (a stalled CDN). */
  idleTimeoutMs: number;
}

export class StalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StalledError';
  }
}

/**
 * One GET without redirect following (the caller decides where a redirect may go and
 * what headers follow it). The body stream errors with StalledError when the socket
 * stays silent for `idleTimeoutMs`.
 */
export function httpGet(url: string, opts: GetOptions): Promise<http.IncomingMessage> {
  const target = new URL(url);
  const lib = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, { method: 'GET', headers: opts.headers, signal: opts.signal });
    const headersTimer = setTimeout(() => req.destroy(new StalledError(`no answer from ${target.host} within ${Math.round(opts.headersTimeoutMs / 1000)} s`)), opts.headersTimeoutMs);
    req.setTimeout(opts.idleTimeoutMs, () => req.destroy(new StalledError(`${target.host} sent nothing for ${Math.round(opts.idleTimeoutMs / 1000)} s`)));
    req.on('response', (res) => {
      clearTimeout(headersTimer);
      resolve(res);
    });
    req.on('error', (error) => {
      clearTimeout(headersTimer);
      reject(error);
    });
    req.end();
  });
}
