import type { FastifyInstance } from 'fastify';

/**
 * Headers on every answer that keep other sites from using the app: it may not be framed
 * (clickjacking a "delete" button), and API resources may not be embedded by other origins
 * (an <img> of a gallery image on someone else's page). CORS reads by configured origins
 * are not affected: Cross-Origin-Resource-Policy applies to no-cors loads only.
 */
export function installResponseHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Frame-Options', 'DENY');
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', "frame-ancestors 'none'");
    if (request.url.startsWith('/api/')) reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    return payload;
  });
}
