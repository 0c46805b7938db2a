// The node:http plumbing: record every request, apply HTTP faults, run the
// origin check (also on the WS upgrade), route with the /api prefix stripped,
// and write aiohttp-shaped responses.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { emptyReply, methodNotAllowed, notFound, RequestCrash, serverError, SERVER_HEADER, type Reply, type RouteRequest } from './http-kit.ts';
import { isForeignOrigin } from './origin-guard.ts';
import { ROUTES, type EmulatorContext, type Route } from './routes.ts';
import type { RecordedRequest } from './types.ts';

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
}

const COMPILED: CompiledRoute[] = ROUTES.map((route) => ({
  route,
  pattern: new RegExp('^' + route.path.replace(/\{(\w+)\}/g, '(?<$1>[^{}/]+)') + '$'),
}));

export function createHttpServer(ctx: EmulatorContext, requests: RecordedRequest[]): http.Server {
  const server = http.createServer((req, res) => {
    handleRequest(ctx, requests, req, res).catch((err: unknown) => {
      console.error('[comfyui-emulator] request failed:', err);
      if (!res.headersSent) writeReply(res, serverError(), req.method ?? 'GET');
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    handleUpgrade(ctx, requests, req, socket, head).catch(() => socket.destroy());
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

async function handleRequest(ctx: EmulatorContext, requests: RecordedRequest[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const record = recordRequest(requests, req);
  const body = await readBody(req);
  record.body = describeBody(body, req.headers['content-type']);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const routePath = stripApiPrefix(url.pathname);

  const fault = ctx.faults.takeHttp(method, routePath);
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.status500) return writeReply(res, serverError(), method);
  if (isForeignOrigin(header(req, 'host'), header(req, 'origin'))) return writeReply(res, emptyReply(403), method);
  if (method === 'OPTIONS') return writeReply(res, emptyReply(200), method);

  const lookupMethod = method === 'HEAD' ? 'GET' : method;
  const allowed: string[] = [];
  for (const { route, pattern } of COMPILED) {
    const match = pattern.exec(routePath);
    if (!match) continue;
    if (route.method !== lookupMethod) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = safeDecode(value);
    const request: RouteRequest = { method, path: routePath, params, query: url.searchParams, headers: req.headers, body };
    let reply: Reply;
    try {
      reply = await route.handler(request, ctx);
    } catch (err) {
      if (!(err instanceof RequestCrash)) console.error('[comfyui-emulator] handler crashed:', err);
      reply = serverError();
    }
    return writeReply(res, reply, method);
  }
  if (routePath === '/ws') return writeReply(res, emptyReply(400), method);
  writeReply(res, allowed.length > 0 ? methodNotAllowed(allowed) : notFound(), method);
}

async function handleUpgrade(ctx: EmulatorContext, requests: RecordedRequest[], req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  recordRequest(requests, req);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const routePath = stripApiPrefix(url.pathname);
  const fault = ctx.faults.takeHttp('GET', routePath);
  if (fault.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.status500) return writeRaw(socket, serverError());
  if (isForeignOrigin(header(req, 'host'), header(req, 'origin'))) return writeRaw(socket, emptyReply(403));
  if (routePath !== '/ws' || (header(req, 'upgrade') ?? '').toLowerCase() !== 'websocket') return writeRaw(socket, notFound());
  ctx.hub.accept(req, socket, head, url.searchParams.get('clientId') ?? '');
}

function recordRequest(requests: RecordedRequest[], req: IncomingMessage): RecordedRequest {
  const record: RecordedRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: req.url ?? '/',
    body: null,
    headers: { ...req.headers },
    at: Date.now(),
    atPerf: performance.now(),
  };
  requests.push(record);
  return record;
}

function writeReply(res: ServerResponse, reply: Reply, method: string): void {
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(reply.body.length), Server: SERVER_HEADER });
  res.end(method === 'HEAD' ? undefined : reply.body);
}

/** A plain HTTP answer on a socket that asked to upgrade. */
function writeRaw(socket: Duplex, reply: Reply): void {
  const lines = [
    `HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? ''}`,
    ...Object.entries({ ...reply.headers, 'Content-Length': String(reply.body.length), Date: new Date().toUTCString(), Server: SERVER_HEADER, Connection: 'close' }).map(
      ([k, v]) => `${k}: ${v}`,
    ),
  ];
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), reply.body]));
}

function stripApiPrefix(pathname: string): string {
  return pathname.startsWith('/api/') ? pathname.slice(4) : pathname;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function describeBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  if (contentType?.startsWith('multipart/')) return `<${contentType.split(';')[0]}: ${body.length} bytes>`;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
