/**
 * A1111's model and settings lists, answered for all of StableQueue's Forge/A1111 servers:
 * each list is the union of what the online servers answer (one entry per name), in
 * A1111's shapes, so a client's model picker shows every model any server can run. The
 * single-server objects (options, cmd-flags, memory) come from the least busy server,
 * with the caller's own option choices laid over the options.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveCheckpoint, type CheckpointEntry } from '../../backends/checkpoint-resolver.ts';
import { compatCaller } from '../compat-caller.ts';
import type { CompatContext } from '../compat-context.ts';
import { onlineServers, readAllServers, readServerJson, unionBy, type ServerAnswer } from '../server-reads.ts';
import { a1111Exception, a1111ValidationError } from './a1111-errors.ts';

type Item = Record<string, unknown>;

/** Each list and the field its entries are known by. */
const UNION_LISTS: Record<string, (item: Item) => unknown> = {
  'sd-models': (m) => m.title,
  samplers: (s) => s.name,
  schedulers: (s) => s.name,
  upscalers: (u) => u.name,
  'latent-upscale-modes': (u) => u.name,
  'sd-vae': (v) => v.model_name,
  'sd-modules': (m) => m.model_name,
  loras: (l) => l.name,
  'prompt-styles': (s) => s.name,
  hypernetworks: (h) => h.name,
  'face-restorers': (f) => f.name,
  extensions: (e) => e.name,
  'script-info': (s) => [s.name, s.is_img2img],
};

/** Objects whose keys are names (embeddings' loaded/skipped, scripts' txt2img/img2img lists), merged. */
function mergeObjects(answers: ServerAnswer[]): Item {
  const merged: Item = {};
  for (const { body } of answers) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
    for (const [key, value] of Object.entries(body as Item)) {
      const prior = merged[key];
      if (Array.isArray(prior) && Array.isArray(value)) merged[key] = [...new Set([...prior, ...value])];
      else if (prior && typeof prior === 'object' && value && typeof value === 'object') merged[key] = { ...value as Item, ...prior as Item };
      else if (prior === undefined) merged[key] = value;
    }
  }
  return merged;
}

export function registerA1111ListRoutes(scope: FastifyInstance, compat: CompatContext): void {
  const { ctx } = compat;
  const read = { permission: 'read' } as const;
  const schema = { tags: ['a1111'] };

  for (const [name, keyOf] of Object.entries(UNION_LISTS)) {
    scope.get(`/sdapi/v1/${name}`, { config: read, schema }, async () => unionBy(await readAllServers(ctx, 'forge', `/sdapi/v1/${name}`), keyOf));
  }
  for (const name of ['embeddings', 'scripts']) {
    scope.get(`/sdapi/v1/${name}`, { config: read, schema }, async () => mergeObjects(await readAllServers(ctx, 'forge', `/sdapi/v1/${name}`)));
  }

  /** One server's answer (the least busy that answers), or the fallback. */
  async function fromOneServer(path: string, fallback: Item): Promise<Item> {
    for (const server of onlineServers(ctx, 'forge')) {
      const body = await readServerJson(ctx, server, path);
      if (body && typeof body === 'object') return body as Item;
    }
    return fallback;
  }
  scope.get('/sdapi/v1/cmd-flags', { config: read, schema }, () => fromOneServer('/sdapi/v1/cmd-flags', {}));
  scope.get('/sdapi/v1/memory', { config: read, schema }, () => fromOneServer('/sdapi/v1/memory', { ram: {}, cuda: { error: 'unavailable' } }));

  scope.get('/sdapi/v1/options', { config: read, schema }, async (request) => {
    const options = await fromOneServer('/sdapi/v1/options', {});
    return { ...options, ...compat.options.get(compatCaller(request).id) };
  });

  scope.post('/sdapi/v1/options', { config: { permission: 'submit' }, schema }, async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return reply.code(422).send(a1111ValidationError([{ loc: ['body'], msg: 'value is not a valid dict', type: 'type_error.dict' }]));
    }
    const patch = { ...body as Item };
    const wanted = patch.sd_model_checkpoint;
    if (wanted !== undefined) {
      const models = unionBy(await readAllServers(ctx, 'forge', '/sdapi/v1/sd-models'), (m) => m.title) as unknown as CheckpointEntry[];
      // With no server online the name cannot be checked; it is checked when the job runs.
      if (typeof wanted !== 'string' || (models.length && !resolveCheckpoint(wanted, models))) {
        return reply.code(500).send(a1111Exception('RuntimeError', `model '${String(wanted)}' not found`));
      }
    }
    compat.options.set(compatCaller(request).id, patch);
    return reply.send(null);
  });
}
