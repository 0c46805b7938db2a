// The /ws endpoint of server.py: one socket per sid, `status` with the sid on
// connect, feature-flag negotiation on the first text frame, JSON events routed
// to one sid or broadcast (sid null), and big-endian binary preview frames.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { pyDumps } from './py-json.ts';
import type { EmittedEvent } from './types.ts';

/** protocol.py BinaryEventTypes */
export const PREVIEW_IMAGE = 1;
export const PREVIEW_IMAGE_WITH_METADATA = 4;

export const SERVER_FEATURE_FLAGS = { supports_preview_metadata: true, max_upload_size: 104857600 };

export interface HubHooks {
  /** `{exec_info: {queue_remaining}}` */
  queueInfo(): unknown;
  /** The node to re-announce when the running prompt's client reconnects, if any. */
  currentNodeFor(sid: string): string | null;
  record(event: EmittedEvent): void;
  /** Whether this server version answers the feature_flags handshake. */
  featureFlags: boolean;
}

export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  private readonly sockets = new Map<string, WebSocket>();
  private readonly featureFlags = new Map<string, Record<string, unknown>>();
  private readonly hooks: HubHooks;

  constructor(hooks: HubHooks) {
    this.hooks = hooks;
  }

  /** Complete an upgrade that already passed routing and the origin check. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, requestedSid: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, requestedSid));
  }

  private onConnection(ws: WebSocket, requestedSid: string): void {
    const sid = requestedSid || crypto.randomUUID().replaceAll('-', '');
    // Reusing a sid silently orphans the older socket, like ComfyUI.
    this.sockets.set(sid, ws);
    this.featureFlags.set(sid, {});

    this.sendJson('status', { status: this.hooks.queueInfo(), sid }, sid);
    const current = this.hooks.currentNodeFor(sid);
    if (current !== null) this.sendJson('executing', { node: current }, sid);

    let firstMessage = true;
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let data: unknown;
      try {
        data = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (data === null || typeof data !== 'object') return;
      const message = data as { type?: unknown; data?: unknown };
      if (firstMessage && message.type === 'feature_flags' && this.hooks.featureFlags) {
        this.featureFlags.set(sid, (message.data ?? {}) as Record<string, unknown>);
        this.sendJson('feature_flags', SERVER_FEATURE_FLAGS, sid);
      }
      firstMessage = false;
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      // ComfyUI pops by sid in a `finally`, even if a newer socket took the sid.
      this.sockets.delete(sid);
      this.featureFlags.delete(sid);
    });
  }

  sendJson(type: string, data: unknown, sid: string | null): void {
    const text = pyDumps({ type, data });
    const delivered = this.deliver(text, sid);
    this.hooks.record({ type, data, sid, delivered, at: Date.now(), atPerf: performance.now() });
  }

  /** `[u32 1][u32 format][bytes]`, format 1 = JPEG, 2 = PNG. */
  sendPreview(image: Buffer, format: 1 | 2, sid: string | null): void {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(PREVIEW_IMAGE, 0);
    header.writeUInt32BE(format, 4);
    const delivered = this.deliver(Buffer.concat([header, image]), sid);
    this.hooks.record({ type: 'binary:1', data: { format, bytes: image.length }, sid, delivered, at: Date.now(), atPerf: performance.now() });
  }

  /** `[u32 4][u32 len][JSON metadata][bytes]` for clients that negotiated supports_preview_metadata. */
  sendPreviewWithMetadata(image: Buffer, metadata: Record<string, unknown>, sid: string | null): void {
    const json = Buffer.from(pyDumps(metadata), 'utf8');
    const header = Buffer.alloc(8);
    header.writeUInt32BE(PREVIEW_IMAGE_WITH_METADATA, 0);
    header.writeUInt32BE(json.length, 4);
    const delivered = this.deliver(Buffer.concat([header, json, image]), sid);
    this.hooks.record({ type: 'binary:4', data: { ...metadata, bytes: image.length }, sid, delivered, at: Date.now(), atPerf: performance.now() });
  }

  /** feature_flags.supports_feature(sockets_metadata, sid, 'supports_preview_metadata') */
  supportsPreviewMetadata(sid: string | null): boolean {
    if (sid === null) return false;
    return this.featureFlags.get(sid)?.supports_preview_metadata === true;
  }

  connectedSids(): string[] {
    return [...this.sockets.keys()];
  }

  /**
   * Drop every connection: 'terminate' cuts TCP (client sees 1006), 'close' sends a close frame.
   * With `flush`, frames already sent (possibly still queued behind compression) go out first.
   */
  dropAll(mode: 'terminate' | 'close' = 'terminate', flush = false): void {
    for (const ws of this.wss.clients) {
      if (mode === 'close') ws.close(1001, 'going away');
      else if (flush && ws.readyState === ws.OPEN) {
        // The ping is queued behind earlier frames; its callback means they were written.
        // A safety net only: compressing a queued preview can take a while on a busy machine.
        const cut = setTimeout(() => ws.terminate(), 2000);
        ws.ping(undefined, undefined, () => {
          clearTimeout(cut);
          ws.terminate();
        });
      } else ws.terminate();
    }
    this.sockets.clear();
    this.featureFlags.clear();
  }

  async close(): Promise<void> {
    this.dropAll('terminate');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private deliver(payload: string | Buffer, sid: string | null): number {
    const targets = sid === null ? [...this.sockets.values()] : this.sockets.has(sid) ? [this.sockets.get(sid) as WebSocket] : [];
    let delivered = 0;
    for (const ws of targets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(payload, { binary: typeof payload !== 'string' });
      delivered++;
    }
    return delivered;
  }
}
