/**
 * One name per model, whatever wrote it: Forge's infotext says `Model: juggernautXL_v9`,
 * a ComfyUI graph `SDXL/juggernautXL_v9.safetensors`, a job `juggernautXL_v9.safetensors [a1b2c3d4]`.
 * The folder, the hash in brackets and the file extension are dropped, so the filter and
 * its facet count them as one.
 */
const MODEL_EXTENSION = /\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i;

export function checkpointKey(name: string | null | undefined): string | null {
  if (!name) return null;
  const base = name.replace(/\s*\[[0-9a-fA-F]{6,64}\]\s*$/, '').split(/[\\/]/).pop() ?? '';
  const key = base.replace(MODEL_EXTENSION, '').trim();
  return key || null;
}
