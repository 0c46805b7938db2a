import path from 'node:path';

/**
 * Sidecar names next to a model file `<base>.<ext>`: `<base>.json` (A1111/Forge
 * user metadata), `<base>.civitai.info` (Civitai Helper), previews `<base>.<img>` and
 * `<base>.preview.<img>` (A1111 `find_preview`, ComfyUI `get_model_previews`).
 */
export const PREVIEW_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif'] as const;

/** The model path without its extension. */
export function sidecarBase(modelPath: string): string {
  const ext = path.extname(modelPath);
  return ext ? modelPath.slice(0, -ext.length) : modelPath;
}

export const userJsonPath = (modelPath: string): string => `${sidecarBase(modelPath)}.json`;
export const civitaiInfoPath = (modelPath: string): string => `${sidecarBase(modelPath)}.civitai.info`;
export const previewPngPath = (modelPath: string): string => `${sidecarBase(modelPath)}.preview.png`;

/** Preview file names for a model (base name only), the `.preview.` forms first. */
export function previewCandidates(modelFileName: string): string[] {
  const base = sidecarBase(modelFileName);
  return [
    ...PREVIEW_EXTENSIONS.map((ext) => `${base}.preview.${ext}`),
    ...PREVIEW_EXTENSIONS.map((ext) => `${base}.${ext}`),
  ];
}

/** The preview among a directory's file names, or null. */
export function findPreviewName(modelFileName: string, dirFiles: ReadonlySet<string>): string | null {
  return previewCandidates(modelFileName).find((name) => dirFiles.has(name)) ?? null;
}

/** Every sidecar file name a model may have, so moving or deleting it takes them along. */
export function allSidecarNames(modelFileName: string): string[] {
  const base = sidecarBase(modelFileName);
  return [`${base}.json`, `${base}.civitai.info`, `${base}.cm-info.json`, `${base}.api_info.json`, `${base}.txt`, `${base}.description.txt`, ...previewCandidates(modelFileName)];
}
