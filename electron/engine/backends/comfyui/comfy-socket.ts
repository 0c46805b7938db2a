import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ServerConnection } from '../types.ts';
import { parseBinaryFrame, type PreviewFrame } from './binary-frames.ts';
import { guardedLookup } from '../../net/guarded-lookup.ts';

export type SocketEvent =
  | { kind: 'message'; type: string; data: Record<string, unknown> }
  | { kind: 'preview'; preview: PreviewFrame }
  /** The socket is (again) open. After a reconnect, events sent meanwhile are lost. */
  | { kind: 'open'; reconnected: boolean }
  | { kind: 'closed' };

export interface SocketOptions {
  clientId?: string;
  /** First and longest wait between reconnect attempts. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  pingEveryMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Servers older than the feature_flags handshake never answer it; do not wait longer than this. */
const FLAGS_REPLY_WAIT_MS = 1_000;

/** ws://host[:port][/base]/ws?clientId=… from the server's http(s) URL. */
export function socketUrl(apiUrl: string, clientId: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  url.search = new URLSearchParams({ clientId }).toString();
  return url.toString();
}

/**
 * The one WebSocket to a ComfyUI server, shared by all jobs on it. ComfyUI sends a
 * prompt's events only to the socket whose sid equals the prompt's client_id, so the
 * clientId stays the same for the life of the backend, across reconnects. The socket
 * is kept while some job needs it and reconnects with backoff when it drops.
 */
export class ComfySocket {
  readonly clientId: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #onEvent: (event: SocketEvent) => void;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #pingEveryMs: number;
  #ws: WebSocket | null = null;
  #open = false;
  #everOpened = false;
  #users = 0;
  #closed = false;
  #backoffMs: number;
  /** Connection attempts that failed since the socket was last open. */
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #awaitingPong = false;
  #openWaiters = new Set<() => void>();

  constructor(server: ServerConnection, onEvent: (event: SocketEvent) => void, opts: SocketOptions = {}) {
    this.clientId = opts.clientId ?? randomUUID();
    this.#url = socketUrl(server.apiUrl, this.clientId);
    this.#headers = server.username
      ? { Authorization: `Basic ${Buffer.from(`${server.username}:${server.password ?? ''}`).toString('base64')}` }
      : {};
    this.#onEvent = onEvent;
    this.#minBackoffMs = opts.minBackoffMs ?? 250;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.#pingEveryMs = opts.pingEveryMs ?? 20_000;
    this.#backoffMs = this.#minBackoffMs;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** A job needs the socket from now on; call the returned function when it no longer does. */
  retain(): () => void {
    this.#users++;
    if (!this.#ws && !this.#retryTimer) this.#connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#users--;
    };
  }

  /**
   * Resolves true once the socket is open, false after `timeoutMs` or on abort. When it
   * keeps failing (a proxy without WebSocket support), false at once: jobs then poll.
   */
  waitOpen(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#open) return Promise.resolve(true);
    if (this.#failures >= 2) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#openWaiters.delete(onOpen);
        resolve(ok);
      };
      const onOpen = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#openWaiters.add(onOpen);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#stopPing();
    this.#ws?.terminate();
    this.#ws = null;
    this.#open = false;
  }

  #connect(): void {
    this.#retryTimer = null;
    if (this.#closed) return;
    // No Origin header: ComfyUI answers 403 to a foreign Origin on a loopback Host.
    // No compression: the frames are small JSON and JPEG previews, and inflating them would queue
    // behind file syncs in libuv's thread pool, delaying the end-of-prompt event.
    const ws = new WebSocket(this.#url, {
      headers: this.#headers, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, followRedirects: false, perMessageDeflate: false, lookup: guardedLookup,
    });
    this.#ws = ws;
    let flagsTimer: NodeJS.Timeout | null = null;
    // Ready once the server answered our feature_flags (or stayed silent a moment), so
    // that a prompt queued right after already gets type-4 previews.
    const ready = () => {
      if (this.#ws !== ws || this.#open) return;
      if (flagsTimer) clearTimeout(flagsTimer);
      this.#open = true;
      this.#failures = 0;
      this.#backoffMs = this.#minBackoffMs;
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      this.#startPing(ws);
      for (const wake of [...this.#openWaiters]) wake();
      this.#onEvent({ kind: 'open', reconnected });
    };
    ws.on('open', () => {
      if (this.#ws !== ws) return;
      // The first frame negotiates type-4 previews (with prompt_id) instead of bare type 1.
      ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
      flagsTimer = setTimeout(ready, FLAGS_REPLY_WAIT_MS);
      flagsTimer.unref();
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (this.#ws !== ws) return;
      if (isBinary) {
        const frame = parseBinaryFrame(raw);
        if (frame?.kind === 'preview') this.#onEvent({ kind: 'preview', preview: frame });
        return;
      }
      let message: { type?: unknown; data?: unknown };
      try {
        message = JSON.parse(raw.toString('utf8')) as typeof message;
      } catch {
        return;
      }
      if (message?.type === 'feature_flags') ready();
      if (typeof message?.type === 'string' && message.data && typeof message.data === 'object') {
        this.#onEvent({ kind: 'message', type: message.type, data: message.data as Record<string, unknown> });
      }
    });
    ws.on('pong', () => { this.#awaitingPong = false; });
    // 'close' follows 'error'; reconnecting happens there.
    ws.on('error', () => {});
    ws.on('close', () => {
      if (flagsTimer) clearTimeout(flagsTimer);
      if (this.#ws !== ws) return;
      const wasOpen = this.#open;
      if (!wasOpen) this.#failures++;
      this.#ws = null;
      this.#open = false;
      this.#stopPing();
      if (wasOpen) this.#onEvent({ kind: 'closed' });
      this.#scheduleReconnect();
    });
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#users === 0 || this.#retryTimer) return;
    const delay = this.#backoffMs * (0.8 + Math.random() * 0.4);
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#retryTimer.unref();
  }

  // A silently dead connection (Wi-Fi gone, NAT timeout) only shows up as a missing pong.
  #startPing(ws: WebSocket): void {
    this.#stopPing();
    this.#awaitingPong = false;
    this.#pingTimer = setInterval(() => {
      if (this.#awaitingPong) {
        ws.terminate();
        return;
      }
      this.#awaitingPong = true;
      ws.ping();
    }, this.#pingEveryMs);
    this.#pingTimer.unref();
  }

  #stopPing(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }
}
