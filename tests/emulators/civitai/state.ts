import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from './catalog.ts';
import type { SignedUrls } from './signed-urls.ts';
import type { Urls } from './render.ts';

export interface RecordedRequest {
  server: 'api' | 'cdn';
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  range: string | null;
  userAgent: string | null;
  at: number;
}

/** A transfer from the storage server: what was asked and what was sent. */
export interface TransferRecord {
  fileId: number;
  /** First byte requested (0 without Range). */
  start: number;
  status: number;
  bytesSent: number;
}

export interface Faults {
  /** Storage stops sending after this absolute file offset and holds the connection open. */
  stallAt: { fileId: number | null; offset: number } | null;
  /** Storage sends at most this many bytes per second (null = as fast as possible). */
  throttleBps: number | null;
  /** The next N API requests answer 429 without Retry-After (Cloudflare style). */
  rateLimitNext: number;
  /** The next N searches answer 503 with Retry-After: 2. */
  busyNext: number;
  /** Storage answers every file request 503 (an outage) until cleared. */
  storageDown: boolean;
}

export interface EmulatorState {
  catalog: Catalog;
  urls: Urls;
  signer: SignedUrls;
  faults: Faults;
  requests: RecordedRequest[];
  transfers: TransferRecord[];
  /** Tokens that authenticate; `supporterTokens` also pass early access. */
  tokens: Set<string>;
  supporterTokens: Set<string>;
  /** Called when a stalled transfer reached its stall offset. */
  onStall: (fileId: number, offset: number) => void;
  /** Open stalled responses, ended on release or close. */
  stalled: Set<ServerResponse>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, type: string, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function record(state: EmulatorState, server: 'api' | 'cdn', req: IncomingMessage, url: URL): void {
  state.requests.push({
    server,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    authorization: req.headers.authorization ?? null,
    range: req.headers.range ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    at: Date.now(),
  });
}
