/**
 * The route table (`modules/api/api.py`, the Lora extension, `ui.setup_ui_api`) and the
 * dispatcher that runs FastAPI's steps in order: body JSON decode → auth → handler.
 */
import { checkpointTitle, LATENT_UPSCALE_MODES, SELECTABLE_SCRIPTS, shorthash, UPSCALERS } from './catalog.ts';
import { reloadModelWeights, type EmulatorCore } from './core.ts';
import { checkBasicAuth } from './auth.ts';
import { HttpException, PythonException, RequestValidationError } from './errors.ts';
import { EXTENSION_ROUTES } from './extension-routes.ts';
import { handleGeneration } from './generation.ts';
import { decodeBody, requireBody, type Reply } from './http.ts';
import { internalProgressResponse, progressResponse } from './processing-state.ts';
import { pyFloat } from './py-json.ts';

export interface RouteContext {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  requestId: number;
  receivedAt: number;
  auth?: { username: string; password: string };
}

interface Route {
  /** protected by --api-auth (every Api.add_api_route route) */
  auth: boolean;
  /** the handler declares a request body, so FastAPI decodes it before auth */
  body?: boolean;
  run: (core: EmulatorCore, ctx: RouteContext, body: unknown) => Promise<Reply> | Reply;
}

const ok = (body: unknown): Reply => ({ status: 200, body });

/** Routes both flavors have. */
const COMMON: Record<string, Record<string, Route>> = {
  '/internal/ping': { GET: { auth: false, run: () => ok({}) } },
  '/sdapi/v1/txt2img': { POST: { auth: true, body: true, run: (c, ctx, b) => generation(c, ctx, b, 'txt2img') } },
  '/sdapi/v1/img2img': { POST: { auth: true, body: true, run: (c, ctx, b) => generation(c, ctx, b, 'img2img') } },
  '/sdapi/v1/progress': {
    GET: {
      auth: true,
      run: async (c, ctx) => ok(await progressResponse(c.state, c.options, queryBool(c, ctx.query, 'skip_current_image'), c.tasks.current)),
    },
  },
  // modules/progress.py, registered on the app itself (webui mode): no --api-auth
  '/internal/progress': { POST: { auth: false, body: true, run: internalProgress } },
  '/internal/pending-tasks': {
    GET: { auth: false, run: (c) => ok({ size: c.tasks.pending.size, tasks: [...c.tasks.pending.keys()] }) },
  },
  '/sdapi/v1/interrupt': { POST: { auth: true, run: (c) => (c.state.interrupt(), ok({})) } },
  '/sdapi/v1/skip': { POST: { auth: true, run: (c) => (c.state.skip(), ok(null)) } },
  '/sdapi/v1/options': {
    GET: { auth: true, run: (c) => ok(c.options) },
    POST: { auth: true, body: true, run: setOptions },
  },
  '/sdapi/v1/cmd-flags': { GET: { auth: true, run: cmdFlags } },
  '/sdapi/v1/samplers': {
    GET: {
      auth: true,
      run: (c) =>
        ok(
          c.catalog.samplers.map((s) => ({
            name: s.name,
            aliases: s.aliases,
            // A1111's SamplerItem has options: dict[str, str], so True arrives as "True"
            options: c.flavor === 'a1111' ? Object.fromEntries(Object.entries(s.options).map(([k, v]) => [k, v === true ? 'True' : v])) : s.options,
          })),
        ),
    },
  },
  '/sdapi/v1/schedulers': {
    GET: { auth: true, run: (c) => ok(c.catalog.schedulers.map((s) => ({ ...s, default_rho: pyFloat(s.default_rho) }))) },
  },
  '/sdapi/v1/upscalers': {
    GET: {
      auth: true,
      run: () =>
        ok(
          UPSCALERS.map((name) => ({
            name,
            model_name: ['None', 'Lanczos', 'Nearest'].includes(name) ? null : name,
            model_path: null,
            model_url: null,
            scale: pyFloat(4),
          })),
        ),
    },
  },
  '/sdapi/v1/latent-upscale-modes': { GET: { auth: true, run: () => ok(LATENT_UPSCALE_MODES.map((name) => ({ name }))) } },
  '/sdapi/v1/sd-models': {
    GET: {
      auth: true,
      run: (c) =>
        ok(
          c.catalog.checkpoints.map((m) => ({
            title: checkpointTitle(m),
            model_name: m.modelName,
            hash: shorthash(m),
            sha256: m.hashed ? m.sha256 : null,
            filename: m.filename,
            config: null,
          })),
        ),
    },
  },
  '/sdapi/v1/hypernetworks': { GET: { auth: true, run: () => ok([]) } },
  '/sdapi/v1/face-restorers': {
    GET: { auth: true, run: (c) => ok([{ name: 'CodeFormer', cmd_dir: c.catalog.modelPath('Codeformer', '').slice(0, -1) }, { name: 'GFPGAN', cmd_dir: null }]) },
  },
  '/sdapi/v1/realesrgan-models': {
    GET: { auth: true, run: () => ok([{ name: 'R-ESRGAN 4x+', path: null, scale: 4 }, { name: 'R-ESRGAN 4x+ Anime6B', path: null, scale: 4 }]) },
  },
  '/sdapi/v1/prompt-styles': { GET: { auth: true, run: () => ok([]) } },
  '/sdapi/v1/embeddings': {
    GET: {
      auth: true,
      run: (c) =>
        ok({
          loaded: { EasyNegative: { step: null, sd_checkpoint: null, sd_checkpoint_name: null, shape: 768, vectors: 8 } },
          skipped: c.flavor === 'forge' ? {} : { 'negativeXL_D': { step: null, sd_checkpoint: null, sd_checkpoint_name: null, shape: 2048, vectors: 1 } },
        }),
    },
  },
  '/sdapi/v1/refresh-embeddings': { POST: { auth: true, run: withQueueLock } },
  '/sdapi/v1/refresh-checkpoints': { POST: { auth: true, run: withQueueLock } },
  '/sdapi/v1/refresh-vae': { POST: { auth: true, run: withQueueLock } },
  '/sdapi/v1/unload-checkpoint': { POST: { auth: true, run: () => ok({}) } },
  '/sdapi/v1/reload-checkpoint': { POST: { auth: true, run: () => ok({}) } },
  '/sdapi/v1/memory': { GET: { auth: true, run: memory } },
  '/sdapi/v1/scripts': {
    GET: {
      auth: true,
      run: (c) => {
        const alwayson = c.settings.alwaysonScripts.map((s) => s.toLowerCase());
        return ok({
          txt2img: [...SELECTABLE_SCRIPTS.txt2img.map((s) => s.toLowerCase()), ...alwayson],
          img2img: [...SELECTABLE_SCRIPTS.img2img.map((s) => s.toLowerCase()), ...alwayson],
        });
      },
    },
  },
  '/sdapi/v1/script-info': { GET: { auth: true, run: scriptInfo } },
  '/sdapi/v1/extensions': { GET: { auth: true, run: () => ok([]) } },
  // the built-in Lora extension registers these on the app directly: no --api-auth, no lock
  '/sdapi/v1/loras': { GET: { auth: false, run: (c) => ok(c.catalog.loras) } },
  '/sdapi/v1/refresh-loras': { POST: { auth: false, run: () => ok(null) } },
};

const A1111_ONLY: Record<string, Record<string, Route>> = {
  '/sdapi/v1/sd-vae': { GET: { auth: true, run: (c) => ok(c.catalog.vaes) } },
};

const FORGE_ONLY: Record<string, Record<string, Route>> = {
  '/sdapi/v1/sd-modules': { GET: { auth: true, run: (c) => ok(c.catalog.modules) } },
};

/** Finds the route and runs it; throws the server's exceptions for the caller to render. */
export async function dispatch(core: EmulatorCore, ctx: RouteContext): Promise<Reply> {
  const table: Record<string, Record<string, Route>> = { ...COMMON, ...EXTENSION_ROUTES, ...(core.flavor === 'forge' ? FORGE_ONLY : A1111_ONLY) };
  const methods = core.settings.nowebui && ctx.path.startsWith('/internal/') ? undefined : table[ctx.path];
  if (!methods) throw new HttpException(404, 'Not Found', {}, true);
  const route = methods[ctx.method === 'HEAD' ? 'GET' : ctx.method];
  if (!route) throw new HttpException(405, 'Method Not Allowed', { allow: Object.keys(methods).join(', ') }, true);

  const decoded = route.body ? decodeBody(ctx.rawBody, headerText(ctx.headers['content-type'])) : undefined;
  if (route.auth && ctx.auth) checkBasicAuth(ctx.auth, headerText(ctx.headers.authorization));
  return route.run(core, ctx, route.body ? requireBody(decoded) : undefined);
}

async function generation(core: EmulatorCore, ctx: RouteContext, body: unknown, route: 'txt2img' | 'img2img'): Promise<Reply> {
  const reply = await handleGeneration(core, route, body, ctx.requestId, ctx.receivedAt);
  return { status: reply.status, body: reply.body };
}

/** POST /options: unknown key → KeyError; unknown checkpoint → RuntimeError (both 500). */
async function setOptions(core: EmulatorCore, _ctx: RouteContext, body: unknown): Promise<Reply> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestValidationError([{ loc: ['body'], kind: 'dict', input: body }]);
  }
  const req = body as Record<string, unknown>;
  const checkpoint = req.sd_model_checkpoint;
  if (checkpoint != null && !core.catalog.findCheckpoint(String(checkpoint))) {
    throw new PythonException('RuntimeError', `model '${String(checkpoint)}' not found`);
  }
  const before = core.options.sd_model_checkpoint;
  for (const [key, value] of Object.entries(req)) {
    if (!(key in core.options)) throw new PythonException('KeyError', `'${key}'`);
    core.options[key] = value;
  }
  // A1111 reloads the weights right away, under the queue lock; Forge loads lazily on the next generation
  if (core.flavor === 'a1111' && checkpoint != null && checkpoint !== before) {
    const life = core.life;
    const release = await core.lock.acquire(life);
    try {
      await reloadModelWeights(core, life);
    } finally {
      release();
    }
  }
  return ok(null);
}

/** POST /internal/progress `{id_task, id_live_preview?, live_preview?}`: queued / active / completed for one task. */
async function internalProgress(core: EmulatorCore, _ctx: RouteContext, body: unknown): Promise<Reply> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new RequestValidationError([{ loc: ['body'], kind: 'model', input: body }]);
  }
  const req = body as Record<string, unknown>;
  if (req.id_task != null && typeof req.id_task !== 'string') throw new RequestValidationError([{ loc: ['body', 'id_task'], kind: 'str', input: req.id_task }]);
  const id = (req.id_task as string | undefined) ?? null;
  if (id === null || id !== core.tasks.current) return ok(core.tasks.waitingAnswer(String(id)));
  return ok(await internalProgressResponse(core.state, core.options, {
    livePreview: req.live_preview !== false,
    idLivePreview: typeof req.id_live_preview === 'number' ? req.id_live_preview : -1,
  }));
}

async function withQueueLock(core: EmulatorCore): Promise<Reply> {
  const release = await core.lock.acquire(core.life);
  release();
  return ok(null);
}

function memory(core: EmulatorCore): Reply {
  const gib = 1024 ** 3;
  const rss = 6.2 * gib;
  const ramTotal = 31.3 * gib;
  const total = core.settings.vramBytes;
  // The loaded model's share: about a third of the card (8.2 GiB of the default 24 GiB-class card).
  const used = Math.min(8_757_051_392, Math.round(total * 0.34));
  return ok({
    ram: { free: pyFloat(ramTotal - rss), used: Math.round(rss), total: pyFloat(ramTotal) },
    cuda: {
      system: { free: total - used, used, total },
      active: { current: 2_147_483_648, peak: 9_663_676_416 },
      allocated: { current: 2_147_483_648, peak: 9_663_676_416 },
      reserved: { current: 4_294_967_296, peak: 11_811_160_064 },
      inactive: { current: 52_428_800, peak: 1_073_741_824 },
      events: { retries: 0, oom: core.oomCount ?? 0 },
    },
  });
}

function cmdFlags(core: EmulatorCore, ctx: RouteContext): Reply {
  return ok({
    api: true,
    api_auth: ctx.auth ? `${ctx.auth.username}:${ctx.auth.password}` : null,
    api_log: false,
    nowebui: false,
    listen: false,
    port: null,
    share: false,
    ckpt_dir: null,
    lora_dir: core.catalog.modelPath('Lora', '').slice(0, -1),
    data_dir: core.catalog.installDir,
    cors_allow_origins: null,
    cors_allow_origins_regex: null,
    skip_version_check: false,
    xformers: false,
    medvram: false,
    lowvram: false,
  });
}

function scriptInfo(core: EmulatorCore): Reply {
  const rows = (titles: string[], isAlwayson: boolean, isImg2img: boolean) =>
    titles.map((t) => ({
      name: t.toLowerCase(), is_alwayson: isAlwayson, is_img2img: isImg2img,
      args: Array.from({ length: (isAlwayson ? core.settings.scriptArgCounts[t] : 0) ?? 0 }, (_, i) => ({ label: `arg ${i}`, value: null })),
    }));
  return ok([
    ...rows(SELECTABLE_SCRIPTS.txt2img, false, false),
    ...rows(core.settings.alwaysonScripts, true, false),
    ...rows(SELECTABLE_SCRIPTS.img2img, false, true),
    ...rows(core.settings.alwaysonScripts, true, true),
  ]);
}

/** A bool query parameter, validated like FastAPI would. */
function queryBool(core: EmulatorCore, query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null) return false;
  const words: Record<string, boolean> = { '0': false, off: false, f: false, false: false, n: false, no: false, '1': true, on: true, t: true, true: true, y: true, yes: true };
  const value = words[raw.toLowerCase()];
  if (value === undefined) {
    throw new RequestValidationError([{ loc: ['query', name], kind: 'bool', input: raw, parsing: core.flavor === 'forge' }]);
  }
  return value;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
