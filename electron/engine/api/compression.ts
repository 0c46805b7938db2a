import zlib from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import { classifyRequestClient } from '../security/client-address.ts';

/**
 * Compresses the UI's assets and the API's JSON for clients that accept it (a first load
 * is about a third of the bytes; a long job list far less). Brotli at quality 4, not the
 * default 11: answers are compressed per request, and 11 costs tens of milliseconds per
 * 100 KB for a few percent. Images and zips are left alone (they are compressed already),
 * and the event stream is hijacked before this hook could buffer it.
 *
 * A client on this machine (the desktop window, a local script) is answered uncompressed:
 * loopback carries 100 KB in a fraction of a millisecond, while compressing and inflating
 * it took most of the time of a gallery page. A request relayed by a proxy is not local.
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (request) => {
    if (classifyRequestClient(request.socket.remoteAddress, request.headers) === 'loopback') request.headers['x-no-compression'] = 'loopback';
  });
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 6 },
  });
}
