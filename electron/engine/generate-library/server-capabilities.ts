import type { ServerCapabilities, ServerStyle } from '../../../shared/generate-library.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import type { ApiContext } from '../api/context.ts';
import { onlineServers, readServerJson } from '../compat/server-reads.ts';
import { LibraryError } from './library-error.ts';

/**
 * What a Forge / A1111 server's extensions offer the Generate page: ControlNet's models
 * and preprocessors, ADetailer's detection models, the upscalers for hires fix and the
 * server's prompt styles. An extension that does not answer is absent (null), so the page
 * hides it. For "auto" the lists are the union over the online Forge servers.
 */

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const union = (lists: string[][]): string[] => [...new Set(lists.flat())];

async function readOne(ctx: ApiContext, server: Parameters<typeof readServerJson>[1]) {
  const [cnModels, cnModules, adModels, upscalers, latentModes, styles] = await Promise.all([
    readServerJson(ctx, server, '/controlnet/model_list'),
    readServerJson(ctx, server, '/controlnet/module_list'),
    readServerJson(ctx, server, '/adetailer/v1/ad_model'),
    readServerJson(ctx, server, '/sdapi/v1/upscalers'),
    readServerJson(ctx, server, '/sdapi/v1/latent-upscale-modes'),
    readServerJson(ctx, server, '/sdapi/v1/prompt-styles'),
  ]);
  const field = (body: unknown, key: string) => (body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined);
  return {
    controlnet: cnModels !== null && cnModules !== null ? { models: strings(field(cnModels, 'model_list')), modules: strings(field(cnModules, 'module_list')) } : null,
    adetailer: adModels !== null ? { models: strings(field(adModels, 'ad_model')) } : null,
    upscalers: [
      ...(Array.isArray(latentModes) ? latentModes.map((m) => String((m as { name?: unknown }).name ?? '')).filter(Boolean) : []),
      ...(Array.isArray(upscalers) ? upscalers.map((u) => String((u as { name?: unknown }).name ?? '')).filter(Boolean) : []),
    ],
    styles: Array.isArray(styles)
      ? styles.filter((s): s is Record<string, unknown> => !!s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string')
        .map((s): ServerStyle => ({ name: String(s.name), prompt: String(s.prompt ?? ''), negative_prompt: String(s.negative_prompt ?? '') }))
      : [],
  };
}

export async function serverCapabilities(ctx: ApiContext, alias: string): Promise<ServerCapabilities> {
  let servers;
  if (alias.toLowerCase() === AUTO_SERVER) {
    servers = onlineServers(ctx, 'forge');
  } else {
    const server = ctx.registry.get(alias);
    if (!server) throw new LibraryError(404, 'unknown_server', `No server named "${alias}".`);
    servers = server.row.app_type === 'forge' && server.health === 'online' ? [server] : [];
  }
  const answers = await Promise.all(servers.map((s) => readOne(ctx, s)));
  const cn = answers.map((a) => a.controlnet).filter((c) => c !== null);
  const ad = answers.map((a) => a.adetailer).filter((a) => a !== null);
  const styles = new Map<string, ServerStyle>();
  for (const a of answers) for (const s of a.styles) if (!styles.has(s.name)) styles.set(s.name, s);
  return {
    alias,
    controlnet: cn.length ? { models: union(cn.map((c) => c.models)), modules: union(cn.map((c) => c.modules)) } : null,
    adetailer: ad.length ? { models: union(ad.map((a) => a.models)) } : null,
    upscalers: union(answers.map((a) => a.upscalers)),
    styles: [...styles.values()],
  };
}
