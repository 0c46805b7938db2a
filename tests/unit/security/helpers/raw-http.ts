import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

/**
 * One HTTP request with full control of the headers (fetch forbids Host, Origin and
 * others): node:http, no agent reuse, the body as given.
 */
export function rawRequest(base: string, method: string, path: string, options: {
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  timeoutMs?: number;
  /** Resolve as soon as the headers arrive (event streams). */
  headersOnly?: boolean;
} = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, method, path, agent: false,
      headers: { ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}), ...options.headers },
      timeout: options.timeoutMs ?? 15_000,
    }, (res) => {
      const done = (text: string) => {
        let body: unknown = text;
        try { body = text ? JSON.parse(text) : null; } catch { /* keep text */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      };
      if (options.headersOnly) {
        res.destroy();
        done('');
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** JSON convenience over rawRequest. */
export function rawJson(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(base, method, path, {
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
