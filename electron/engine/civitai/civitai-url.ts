/**
 * Reads a Civitai link a user pastes: model pages on civitai.com or civitai.red
 * (`/models/123/slug?modelVersionId=456`), download links (`/api/download/models/456`),
 * image pages (`/images/789`), plus AIR strings. civitai.red links are accepted too (Civitai's other domain).
 */
export interface CivitaiRef {
  modelId: number | null;
  versionId: number | null;
  imageId: number | null;
  fileId: number | null;
}

const HOSTS = /(^|\.)civitai\.(com|red)$/i;

export function isCivitaiHost(host: string, extra: string[] = []): boolean {
  const h = host.toLowerCase();
  return HOSTS.test(h) || extra.some((e) => e.toLowerCase() === h);
}

/** `extraHosts` adds the configured API host (the emulator in tests). */
export function parseCivitaiUrl(input: string, extraHosts: string[] = []): CivitaiRef | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || !isCivitaiHost(url.host, extraHosts) && !isCivitaiHost(url.hostname, extraHosts)) return null;
  const num = (v: string | null | undefined) => (v && /^\d+$/.test(v) ? Number(v) : null);
  const ref: CivitaiRef = { modelId: null, versionId: num(url.searchParams.get('modelVersionId')), imageId: null, fileId: num(url.searchParams.get('fileId')) };
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] === 'models' && num(parts[1])) ref.modelId = num(parts[1]);
  else if (parts[0] === 'images' && num(parts[1])) ref.imageId = num(parts[1]);
  else if (parts[0] === 'api' && parts[1] === 'download' && parts[2] === 'models' && num(parts[3])) ref.versionId = num(parts[3]);
  else if (parts[0] === 'api' && parts[1] === 'v1' && parts[2] === 'model-versions' && num(parts[3])) ref.versionId = num(parts[3]);
  if (ref.modelId === null && ref.versionId === null && ref.imageId === null) return null;
  return ref;
}
