/**
 * A facade on a port of its own (A1111_COMPAT_PORT, COMFYUI_COMPAT_PORT), for clients
 * that take a host and port but no path: each request (and websocket upgrade) gets the
 * facade's prefix and goes through the same Fastify app, so the request policy, the
 * routes and their permissions are the ones of the main port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface OwnPort {
  port: number;
  close(): Promise<void>;
}

export async function listenOnOwnPort(app: FastifyInstance, prefix: string, host: string, port: number): Promise<OwnPort> {
  const withPrefix = (req: http.IncomingMessage) => {
    req.url = `${prefix}${req.url?.startsWith('/') ? req.url : `/${req.url ?? ''}`}`;
    return req;
  };
  const server = http.createServer((req, res) => app.routing(withPrefix(req), res));
  server.on('upgrade', (req, socket, head) => app.server.emit('upgrade', withPrefix(req), socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
