/**
 * A Civitai emulator for tests that behaves like the real site: the REST API and download endpoint on one
 * origin, the signed-URL storage on another (so a token sent to storage shows up), files
 * generated on the fly (1 GB without holding it in memory), error codes and bodies as
 * Civitai sends them, and faults (stall, throttle, 429, 503, expired links).
 */
import http, { type Server } from 'node:http';
import type { Socket } from 'node:net';
import { handleApi } from './api-routes.ts';
import { Catalog, type EmuModel, type ModelInput } from './catalog.ts';
import { handleCdn } from './cdn-routes.ts';
import { SignedUrls } from './signed-urls.ts';
import { record, type EmulatorState, type Faults, type RecordedRequest, type TransferRecord } from './state.ts';

export type { ModelInput, EmuModel } from './catalog.ts';
export type { RecordedRequest, TransferRecord } from './state.ts';

export interface CivitaiEmulatorOptions {
  host?: string;
  /** Port of the API origin (0, the default, picks a free one); storage always gets a free one. */
  port?: number;
  /** Lifetime of signed storage links (default one hour). */
  signedUrlTtlSec?: number;
  tokens?: string[];
  supporterTokens?: string[];
}

export interface CivitaiEmulator {
  /** The API origin: what CIVITAI_BASE_URL points at. */
  readonly apiUrl: string;
  /** The storage origin the download endpoint redirects to. */
  readonly cdnUrl: string;
  readonly catalog: Catalog;
  readonly requests: RecordedRequest[];
  readonly transfers: TransferRecord[];
  readonly faults: Faults;
  readonly tokens: Set<string>;
  addModel(input: ModelInput): Promise<EmuModel>;
  /** Every signed link issued so far now answers 403 "Request has expired". */
  expireSignedUrls(): void;
  setSignedUrlTtl(seconds: number): void;
  /** Resolves when a transfer reaches the `stallAt` offset. */
  waitForStall(): Promise<{ fileId: number; offset: number }>;
  /** Ends stalled transfers (the client sees the connection close) and clears the fault. */
  releaseStalls(): void;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startCivitaiEmulator(opts: CivitaiEmulatorOptions = {}): Promise<CivitaiEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let stallWaiters: ((v: { fileId: number; offset: number }) => void)[] = [];
  let lastStall: { fileId: number; offset: number } | null = null;
  const state: EmulatorState = {
    catalog: new Catalog(),
    urls: { api: '', cdn: '' },
    signer: new SignedUrls(opts.signedUrlTtlSec ?? 3600),
    faults: { stallAt: null, throttleBps: null, rateLimitNext: 0, busyNext: 0, storageDown: false },
    requests: [],
    transfers: [],
    tokens: new Set(opts.tokens ?? []),
    supporterTokens: new Set(opts.supporterTokens ?? []),
    stalled: new Set(),
    onStall: (fileId, offset) => {
      lastStall = { fileId, offset };
      const waiters = stallWaiters;
      stallWaiters = [];
      for (const w of waiters) w({ fileId, offset });
    },
  };
  const make = (kind: 'api' | 'cdn') => {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      record(state, kind, req, url);
      const handler = kind === 'api' ? handleApi : handleCdn;
      handler(state, req, res, url).catch((error: Error) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: error.message }));
        } else res.destroy();
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.keepAliveTimeout = 5000;
    return server;
  };
  const api = make('api');
  const cdn = make('cdn');
  const apiPort = await listen(api, host, opts.port ?? 0);
  const cdnPort = await listen(cdn, host);
  state.urls.api = `http://${host}:${apiPort}`;
  state.urls.cdn = `http://${host}:${cdnPort}`;

  return {
    apiUrl: state.urls.api,
    cdnUrl: state.urls.cdn,
    catalog: state.catalog,
    requests: state.requests,
    transfers: state.transfers,
    faults: state.faults,
    tokens: state.tokens,
    addModel: (input) => state.catalog.add(input),
    expireSignedUrls: () => state.signer.revokeAll(),
    setSignedUrlTtl: (seconds) => { state.signer.ttlSec = seconds; },
    waitForStall: () => new Promise((resolve) => {
      if (lastStall) {
        const s = lastStall;
        lastStall = null;
        resolve(s);
      } else stallWaiters.push(resolve);
    }),
    releaseStalls: () => {
      state.faults.stallAt = null;
      lastStall = null;
      for (const res of state.stalled) res.destroy();
      state.stalled.clear();
    },
    close: async () => {
      for (const res of state.stalled) res.destroy();
      for (const socket of sockets) socket.destroy();
      await Promise.all([api, cdn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
