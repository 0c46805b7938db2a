import type { CivitaiImage } from '../../civitai/civitai-types.ts';

/**
 * A Civitai image's generation data (`meta`, A1111-style keys) as StableQueue generation
 * params, so an image found on Civitai can be queued again.
 */
export function generationParamsFromMeta(meta: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() && Number.isFinite(Number(v)) ? Number(v) : undefined);
  if (str(meta.prompt)) out.positive_prompt = meta.prompt;
  if (str(meta.negativePrompt)) out.negative_prompt = meta.negativePrompt;
  const steps = num(meta.steps);
  if (steps !== undefined) out.steps = Math.round(steps);
  const cfg = num(meta.cfgScale);
  if (cfg !== undefined) out.cfg_scale = cfg;
  const seed = num(meta.seed);
  if (seed !== undefined) out.seed = Math.round(seed);
  if (str(meta.sampler)) out.sampler_name = meta.sampler;
  if (str(meta['Schedule type'])) out.scheduler = meta['Schedule type'];
  const size = str(meta.Size) ?? str(meta.size);
  const m = size ? /^(\d+)\s*x\s*(\d+)$/i.exec(size) : null;
  if (m) {
    out.width = Number(m[1]);
    out.height = Number(m[2]);
  }
  const clip = num(meta.clipSkip ?? meta['Clip skip']);
  if (clip !== undefined) out.override_settings = { CLIP_stop_at_last_layers: Math.round(clip) };
  const denoise = num(meta['Denoising strength']);
  if (denoise !== undefined) out.denoising_strength = denoise;
  if (str(meta.Model)) out.checkpoint_name = meta.Model;
  const resources = Array.isArray(meta.civitaiResources) ? meta.civitaiResources as Record<string, unknown>[] : [];
  const loras: Record<string, unknown>[] = [];
  for (const r of resources) {
    const versionId = num(r.modelVersionId);
    const type = String(r.type ?? '').toLowerCase();
    if (type === 'checkpoint' && versionId) out.checkpoint_civitai_version_id = versionId;
    if ((type === 'lora' || type === 'locon' || type === 'dora') && versionId) {
      loras.push({ name: str(r.modelVersionName) ?? str(r.modelName) ?? `civitai-${versionId}`, weight: num(r.weight) ?? 1, civitai_version_id: versionId });
    }
  }
  if (loras.length) out.loras = loras;
  return out;
}

export function imageInfo(image: CivitaiImage) {
  return {
    image_id: image.id ?? null,
    url: image.url,
    width: image.width ?? null,
    height: image.height ?? null,
    nsfw_level: image.nsfwLevel ?? null,
    type: image.type ?? 'image',
    meta: image.meta ?? null,
    generation_params: generationParamsFromMeta(image.meta ?? null),
  };
}
