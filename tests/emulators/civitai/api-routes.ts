/**
 * Civitai's REST v1 as the real site behaves: /models with cursor paging and its limits
 * (page*limit > 1000 → 429, query with page → 400, overload → 503 Retry-After: 2),
 * /models/:id, /model-versions/:id, by-hash (GET, POST ≤100, POST ids ≤10 000),
 * /images, /enums, and the download endpoint with its redirects and error bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmuModel } from './catalog.ts';
import { serveImage } from './cdn-routes.ts';
import { renderImage, renderModel, renderVersion } from './render.ts';
import { readBody, sendJson, sendText, type EmulatorState } from './state.ts';

const BROWSER_UA = /mozilla|chrome|safari|firefox|opera|edge/i;
const MODEL_TYPES = ['Checkpoint', 'TextualInversion', 'Hypernetwork', 'AestheticGradient', 'LORA', 'LoCon', 'DoRA', 'Controlnet', 'Upscaler', 'MotionModule', 'VAE', 'Poses', 'Wildcards', 'Workflows', 'Detection', 'Other'];

function list(url: URL, key: string): string[] {
  return url.searchParams.getAll(key).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function token(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
}

function encodeCursor(offset: number): string {
  return `${offset}|${Buffer.from(`o${offset}`).toString('base64url')}`;
}

function decodeCursor(cursor: string): number | null {
  const m = /^(\d+)\|/.exec(cursor);
  return m ? Number(m[1]) : null;
}

function searchModels(state: EmulatorState, url: URL, res: ServerResponse): void {
  if (state.faults.busyNext > 0) {
    state.faults.busyNext--;
    return sendJson(res, 503, { error: 'Search is temporarily overloaded — please retry.' }, { 'Retry-After': '2', 'Cache-Control': 'no-store' });
  }
  const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : 100;
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) return sendJson(res, 400, { error: { issues: [{ path: ['limit'], message: 'Number must be less than or equal to 100' }] } });
  const page = url.searchParams.get('page');
  const query = url.searchParams.get('query')?.toLowerCase() ?? '';
  if (page && query) return sendJson(res, 400, { error: 'Cannot use page param with query search. Use cursor-based pagination.' });
  if (page && Number(page) * limit > 1000) return sendJson(res, 429, { error: "You've requested too many pages, please use cursors instead" });
  const ids = list(url, 'ids').map(Number);
  const types = list(url, 'types');
  const baseModels = list(url, 'baseModels');
  const tag = url.searchParams.get('tag')?.toLowerCase();
  const username = url.searchParams.get('username')?.toLowerCase();
  const nsfw = url.searchParams.get('nsfw') === 'true';
  const sort = url.searchParams.get('sort') ?? 'Highest Rated';
  let models = [...state.catalog.models.values()].filter((m) =>
    (!ids.length || ids.includes(m.id))
    && (!query || m.name.toLowerCase().includes(query) || m.tags.some((t) => t.toLowerCase().includes(query)))
    && (!types.length || types.includes(m.type))
    && (!baseModels.length || m.versions.some((v) => baseModels.includes(v.baseModel)))
    && (!tag || m.tags.map((t) => t.toLowerCase()).includes(tag))
    && (!username || m.creator.toLowerCase() === username)
    && (nsfw || !m.nsfw));
  const newest = (m: EmuModel) => m.versions[0]?.publishedAt ?? '';
  const sorters: Record<string, (a: EmuModel, b: EmuModel) => number> = {
    'Highest Rated': (a, b) => b.thumbsUpCount - a.thumbsUpCount || a.id - b.id,
    'Most Downloaded': (a, b) => b.downloadCount - a.downloadCount || a.id - b.id,
    Newest: (a, b) => newest(b).localeCompare(newest(a)) || a.id - b.id,
    Oldest: (a, b) => newest(a).localeCompare(newest(b)) || a.id - b.id,
  };
  models = models.sort(sorters[sort] ?? sorters['Highest Rated']);
  let offset = 0;
  const metadata: Record<string, unknown> = {};
  if (page) {
    offset = (Number(page) - 1) * limit;
    metadata.currentPage = Number(page);
    metadata.pageSize = limit;
  } else if (url.searchParams.get('cursor')) {
    const decoded = decodeCursor(url.searchParams.get('cursor')!);
    if (decoded === null) return sendJson(res, 400, { error: 'Invalid cursor' });
    offset = decoded;
  }
  const items = models.slice(offset, offset + limit);
  if (offset + limit < models.length) {
    metadata.nextCursor = encodeCursor(offset + limit);
    const next = new URL(url.toString());
    next.searchParams.set('cursor', metadata.nextCursor as string);
    next.searchParams.delete('page');
    metadata.nextPage = `${state.urls.api}${next.pathname}${next.search}`;
  }
  const primaryOnly = url.searchParams.get('primaryFileOnly') === 'true';
  sendJson(res, 200, {
    items: items.map((m) => {
      const rendered = renderModel(state.catalog, m, state.urls);
      if (primaryOnly) {
        for (const v of rendered.modelVersions as { files: { primary?: boolean }[] }[]) v.files = v.files.filter((f) => f.primary);
      }
      return rendered;
    }),
    metadata,
  });
}

/** GET /api/download/models/:versionId: a redirect to signed storage, or Civitai's error answer. */
function download(state: EmulatorState, req: IncomingMessage, url: URL, versionId: number, res: ServerResponse): void {
  const ua = req.headers['user-agent'] ?? '';
  if (state.faults.rateLimitNext > 0) {
    state.faults.rateLimitNext--;
    return sendJson(res, 429, { error: 'We have noticed an unusual amount of downloading from your account or IP. Please try again later.' });
  }
  const version = state.catalog.versions.get(versionId);
  const model = version ? state.catalog.models.get(version.modelId) : undefined;
  if (!version || !model) return sendJson(res, 404, { error: 'File not found' });
  const t = token(req);
  const authed = t !== null && state.tokens.has(t);
  const browser = BROWSER_UA.test(ua);
  const needsLogin = version.access === 'auth' || version.access === 'forbidden';
  if (needsLogin && !authed) {
    if (browser) {
      res.writeHead(307, { Location: `/login?returnUrl=${encodeURIComponent(`/models/${model.id}`)}&reason=download-auth` });
      return void res.end();
    }
    return sendJson(res, 401, { error: 'Unauthorized', message: 'The creator of this asset requires you to be logged in to download it' });
  }
  if (t !== null && !authed) return sendJson(res, 401, { error: 'Unauthorized', message: 'Invalid API key' });
  if (version.access === 'disabled') return sendJson(res, 401, { error: 'Unauthorized', message: 'The creator of this asset has disabled downloads on this file' });
  if (version.access === 'archived') return sendJson(res, 410, { error: 'Model archived, not available for download' });
  if (version.access === 'early_access' && !(t && state.supporterTokens.has(t))) {
    if (browser) {
      res.writeHead(307, { Location: `/purchase/buzz?returnUrl=${encodeURIComponent(`/models/${model.id}`)}&reason=early-access` });
      return void res.end();
    }
    return sendJson(res, 403, { error: 'Early Access', deadline: new Date(Date.now() + 7 * 86_400_000).toISOString() });
  }
  if (version.access === 'forbidden') return sendJson(res, 403, { error: 'Forbidden', message: 'You do not have access to download this file' });
  if (version.access === 'missing_file') return sendJson(res, 404, { error: 'File not found' });

  // File choice: ?fileId, else type/format/size/fp must match, else the primary file.
  const fileId = url.searchParams.get('fileId');
  let files = version.files;
  if (fileId) files = files.filter((f) => String(f.id) === fileId);
  const type = url.searchParams.get('type');
  if (type) files = files.filter((f) => f.type === type);
  const format = url.searchParams.get('format');
  if (format) files = files.filter((f) => (/\.safetensors$/i.test(f.name) ? 'SafeTensor' : 'PickleTensor') === format);
  const fp = url.searchParams.get('fp');
  if (fp) files = files.filter((f) => f.fp === fp);
  const size = url.searchParams.get('size');
  if (size) files = files.filter((f) => f.sizeMeta === size);
  const file = fileId || type || format || fp || size ? files[0] : version.files.find((f) => f.primary) ?? version.files[0];
  if (!file) return sendJson(res, 404, { error: 'File not found' });
  const location = state.signer.sign(state.urls.cdn, `/files/${file.id}/${encodeURIComponent(file.name)}`);
  res.writeHead(307, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
}

export async function handleApi(state: EmulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  let m: RegExpExecArray | null;
  if (method === 'GET' && await serveImage(state, res, url)) return;
  if (method === 'GET' && path === '/api/v1/models') return searchModels(state, url, res);
  if (method === 'GET' && (m = /^\/api\/v1\/models\/(\d+)$/.exec(path))) {
    const model = state.catalog.models.get(Number(m[1]));
    return model ? sendJson(res, 200, renderModel(state.catalog, model, state.urls)) : sendJson(res, 404, { error: `No model with id ${m[1]}` });
  }
  if (method === 'GET' && (m = /^\/api\/v1\/model-versions\/by-hash\/([^/]+)$/.exec(path))) {
    const hit = state.catalog.byHash(decodeURIComponent(m[1]));
    return hit ? sendJson(res, 200, renderVersion(state.catalog, hit.version, state.urls), { 'Cache-Control': 'public, max-age=3600' }) : sendJson(res, 404, { error: 'Model not found' });
  }
  if (method === 'POST' && (path === '/api/v1/model-versions/by-hash' || path === '/api/v1/model-versions/by-hash/ids')) {
    let hashes: unknown;
    try {
      hashes = JSON.parse(await readBody(req));
    } catch {
      return sendJson(res, 400, { error: 'Invalid JSON' });
    }
    const max = path.endsWith('/ids') ? 10_000 : 100;
    if (!Array.isArray(hashes) || hashes.some((h) => typeof h !== 'string') || hashes.length > max) {
      return sendJson(res, 400, { error: `Expected an array of at most ${max} SHA256 hashes` });
    }
    const hits = (hashes as string[]).map((h) => ({ h, hit: state.catalog.byHash(h) })).filter((x) => x.hit && x.hit.file.hashes?.SHA256 === x.h.toUpperCase());
    if (path.endsWith('/ids')) return sendJson(res, 200, hits.map(({ hit }) => ({ modelVersionId: hit!.version.id, modelId: hit!.version.modelId, hash: hit!.file.hashes!.SHA256 })));
    return sendJson(res, 200, hits.map(({ hit }) => renderVersion(state.catalog, hit!.version, state.urls)));
  }
  if (method === 'GET' && (m = /^\/api\/v1\/model-versions\/(\d+)$/.exec(path))) {
    const version = state.catalog.versions.get(Number(m[1]));
    return version ? sendJson(res, 200, renderVersion(state.catalog, version, state.urls)) : sendJson(res, 404, { error: `No version with id ${m[1]}` });
  }
  if (method === 'GET' && path === '/api/v1/images') {
    const limit = Math.min(200, Number(url.searchParams.get('limit') ?? 100));
    const imageId = Number(url.searchParams.get('imageId') ?? 0);
    const versionId = Number(url.searchParams.get('modelVersionId') ?? 0);
    const withMeta = url.searchParams.get('withMeta') === 'true';
    let images = [...state.catalog.images.values()];
    if (imageId) images = images.filter((i) => i.id === imageId);
    if (versionId) images = state.catalog.versions.get(versionId)?.images ?? [];
    return sendJson(res, 200, { items: images.slice(0, limit).map((i) => renderImage(i, state.urls, withMeta)), metadata: {} });
  }
  if (method === 'GET' && path === '/api/v1/enums') {
    return sendJson(res, 200, {
      ModelType: MODEL_TYPES,
      ModelFileType: ['Model', 'Pruned Model', 'VAE', 'Text Encoder', 'Negative', 'Training Data', 'Config', 'Archive', 'UNet'],
      BaseModel: ['SD 1.5', 'SD 2.1', 'SDXL 1.0', 'Pony', 'Illustrious', 'NoobAI', 'Flux.1 D', 'Flux.1 S', 'SD 3.5 Large'],
      ActiveBaseModel: ['SD 1.5', 'SDXL 1.0', 'Pony', 'Illustrious', 'NoobAI', 'Flux.1 D'],
    });
  }
  if (method === 'GET' && (m = /^\/api\/download\/models\/(\d+)$/.exec(path))) return download(state, req, url, Number(m[1]), res);
  if (method === 'GET' && (path === '/login' || path.startsWith('/purchase'))) {
    return sendText(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Sign in | Civitai</title></head><body>Sign in</body></html>');
  }
  sendJson(res, 404, { error: 'Not found' });
}
