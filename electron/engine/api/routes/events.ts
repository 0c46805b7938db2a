import type { FastifyInstance } from 'fastify';
import type { EngineEvent } from '../../../../shared/events.ts';
import { coalesce } from '../../../../shared/live-coalesce.ts';
import type { ApiContext } from '../context.ts';

const HEARTBEAT_MS = 15_000;
// A client that stops reading must not make us buffer without end.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Events are written in bursts of this span: a script submitting thousands of jobs sends
 * one chunk per tick, without what a later event of the same burst makes moot (see
 * coalesce), instead of a write (and a browser task) per event.
 */
const BURST_MS = 25;

/** GET /api/v1/events: Server-Sent Events; `event:` is the type, `data:` the JSON event. */
export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/events', { config: { permission: 'read' }, schema: { tags: ['system'], hide: false } }, (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // HEAD (Fastify adds it for every GET) has no body: Node drops the writes and would never send the headers.
    if (request.method === 'HEAD') {
      res.end();
      return;
    }
    let seq = 0;
    const frame = (event: EngineEvent) => `id: ${++seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    let burst: EngineEvent[] = [];
    let burstTimer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      burstTimer = null;
      const events = coalesce(burst);
      burst = [];
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        return;
      }
      res.write(events.map(frame).join(''));
    };
    const write = (event: EngineEvent) => {
      burst.push(event);
      burstTimer ??= setTimeout(flush, BURST_MS);
    };
    res.write(`retry: 2000\n\n`);
    res.write(frame({ type: 'queue.state', paused: ctx.service.isPaused(), counts: ctx.service.counts() }));
    const unsubscribe = ctx.bus.on(write);
    // A named event, not a comment: browsers hide comments from scripts, and the UI needs
    // to see the keep-alive to tell a quiet stream from a stalled one.
    const heartbeat = setInterval(() => res.write(`event: heartbeat\ndata: {}\n\n`), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      if (burstTimer) clearTimeout(burstTimer);
      unsubscribe();
    };
    request.raw.on('close', close);
    res.on('error', close);
  });
}
