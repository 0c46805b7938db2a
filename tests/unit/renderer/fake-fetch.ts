/** A scripted fetch for the renderer's API client: records calls, answers from handlers. */
export interface RecordedCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Handler = (call: RecordedCall) => Response | Promise<Response> | { status?: number; json?: unknown } | undefined;

export function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
  });
}

export function createFakeFetch(routes: Record<string, Handler> = {}) {
  const calls: RecordedCall[] = [];
  const fetch = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const call: RecordedCall = {
      url: input,
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const path = input.replace(/^https?:\/\/[^/]+/, '').split('?')[0]!;
    const handler = routes[`${call.method} ${path}`] ?? routes[path];
    if (!handler) return json(404, { error: 'not_found', message: `no fake route for ${call.method} ${path}` });
    const out = await handler(call);
    if (out instanceof Response) return out;
    return json(out?.status ?? 200, out?.json);
  };
  return { fetch, calls, routes };
}
