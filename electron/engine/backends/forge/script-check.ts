/**
 * Whether a server has the always-on scripts (extensions) a job's `alwayson_scripts` names.
 * The server answers an unknown title with a 422 at dispatch; checking its
 * `/sdapi/v1/script-info` first lets the job fail naming the missing extension.
 */

/** One row of `/sdapi/v1/script-info`. */
export interface ScriptInfoEntry {
  name?: string | null;
  is_alwayson?: boolean;
  is_img2img?: boolean;
  args?: unknown[];
}

/** Titles (as the job wrote them) that the server has no always-on script for; [] when it cannot tell. */
export function missingAlwaysonScripts(titles: string[], mode: 'txt2img' | 'img2img', scripts: ScriptInfoEntry[] | null): string[] {
  if (!scripts || scripts.length === 0) return [];
  const available = new Set(scripts
    .filter((s) => s.is_alwayson === true && s.is_img2img === (mode === 'img2img') && typeof s.name === 'string')
    .map((s) => String(s.name).toLowerCase()));
  return titles.filter((title) => !available.has(title.toLowerCase()));
}
