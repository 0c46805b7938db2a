import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { ApiError } from '../../api/errors.ts';
import type { ModelsServices } from '../models-services.ts';

const MAX_BYTES = 10 * 1024 * 1024;
const MAX_HOPS = 3;
const CIVITAI_HOSTS = /(^|\.)civitai\.(com|red)$/i;

/**
 * GET /api/v1/civitai/image?url=: Civitai preview images through the engine, so the UI
 * (whose CSP allows only its own origin) can show them. Only Civitai's hosts (and the
 * configured API host) are fetched, redirects are checked hop by hop, no token is sent,
 * the size is capped and the answer must be an image.
 */
export function registerImageProxyRoute(app: FastifyInstance, services: ModelsServices): void {
  const apiHost = new URL(services.client.baseUrl).host;
  const allowed = (url: URL) => /^https?:$/.test(url.protocol) && (CIVITAI_HOSTS.test(url.hostname) || url.host === apiHost);

  app.get<{ Querystring: { url: string; width?: number } }>('/api/v1/civitai/image', {
    config: { permission: 'read' },
    schema: {
      tags: ['civitai'],
      summary: 'A Civitai image, proxied for the UI (Civitai hosts only)',
      querystring: Type.Object({
        url: Type.String({ maxLength: 2048 }),
        width: Type.Optional(Type.Integer({ minimum: 32, maximum: 1800, default: 450 })),
      }),
    },
  }, async (request, reply) => {
    let url: URL;
    try {
      url = new URL(request.query.url.replace('/original=true/', `/width=${request.query.width ?? 450}/`));
    } catch {
      throw new ApiError(400, 'bad_image_url', 'The image URL is not a URL.');
    }
    for (let hop = 0; ; hop++) {
      if (!allowed(url)) throw new ApiError(400, 'image_host_not_allowed', `Only Civitai images are proxied, not ${url.host}.`);
      const res = await fetch(url, { headers: { 'User-Agent': services.settings.userAgent }, redirect: 'manual', signal: AbortSignal.timeout(20_000) })
        .catch((error: Error) => { throw new ApiError(502, 'image_unreachable', `Could not load the image: ${error.message}`); });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location && hop < MAX_HOPS) {
        await res.body?.cancel().catch(() => {});
        url = new URL(location, url);
        continue;
      }
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || !/^image\//i.test(type)) {
        await res.body?.cancel().catch(() => {});
        throw new ApiError(502, 'image_unavailable', `Civitai answered ${res.status} ${type.split(';')[0]} for the image.`);
      }
      if (Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) {
        await res.body?.cancel().catch(() => {});
        throw new ApiError(502, 'image_too_large', 'The image is larger than 10 MB.');
      }
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length > MAX_BYTES) throw new ApiError(502, 'image_too_large', 'The image is larger than 10 MB.');
      return reply.header('Content-Type', type).header('Cache-Control', 'private, max-age=86400').send(data);
    }
  });
}
