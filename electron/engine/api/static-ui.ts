import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

/** Serves the built renderer at `/`, with index.html for client-side routes. */
export async function registerStaticUi(app: FastifyInstance, uiDir: string | null): Promise<void> {
  const index = uiDir ? path.join(uiDir, 'index.html') : null;
  if (!uiDir || !index || !fs.existsSync(index)) {
    app.get('/', async (_request, reply) => reply.type('text/html').send(
      '<!doctype html><title>StableQueue</title><p>StableQueue is running. The UI is not built: run <code>npm run build</code>.</p>'));
    return;
  }
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/',
    index: ['index.html'],
    wildcard: false,
    cacheControl: false,
    setHeaders: (res, file) => {
      // Hashed assets never change; index.html must always be fresh.
      res.header('Cache-Control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', async (request, reply) => {
    const url = request.url.split('?')[0];
    if (url.startsWith('/api/')) return sendError(reply, 404, 'not_found', `No route ${request.method} ${url}.`);
    const candidate = path.resolve(uiDir, `.${decodeURIComponent(url)}`);
    if (candidate.startsWith(uiDir + path.sep) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return reply.sendFile(path.relative(uiDir, candidate));
    }
    if (path.extname(url)) return sendError(reply, 404, 'not_found', `No file ${url}.`);
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}
