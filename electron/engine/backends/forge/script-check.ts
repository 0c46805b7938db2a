/**
 * Whether a server has the always-on scripts (extensions) a job's `alwayson_scripts` names,
 * and whether they take the arguments the job brings. The server answers an unknown title
 * with a 422 at dispatch; checking its `/sdapi/v1/script-info` first lets the job fail
 * naming the missing extension. A script that takes fewer arguments there than the job
 * sends (another ADetailer version, fewer ADetailer tabs) ignores the rest: worth a warning.
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

/** One line per always-on script whose arguments do not fit the server's version of it. */
export function alwaysonArgWarnings(alwayson: Record<string, unknown>, mode: 'txt2img' | 'img2img', scripts: ScriptInfoEntry[] | null): string[] {
  if (!scripts) return [];
  const warnings: string[] = [];
  for (const [title, entry] of Object.entries(alwayson)) {
    const sent = entry && typeof entry === 'object' && Array.isArray((entry as { args?: unknown }).args) ? (entry as { args: unknown[] }).args.length : 0;
    const info = scripts.find((s) => s.is_alwayson === true && s.is_img2img === (mode === 'img2img') && String(s.name ?? '').toLowerCase() === title.toLowerCase());
    const takes = Array.isArray(info?.args) ? info.args.length : null;
    if (takes !== null && takes > 0 && sent > takes) {
      warnings.push(`${title}: the job sends ${sent} arguments, the server's version takes ${takes}; the rest are ignored there (another version or fewer tabs of that extension)`);
    }
  }
  return warnings;
}
