import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { CivitaiImage } from '../../civitai/civitai-types.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import { findPreviewName, previewPngPath } from './sidecar-paths.ts';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_PREVIEW_BYTES = 25 * 1024 * 1024;

function nsfwLevel(image: CivitaiImage): number {
  const level = image.nsfwLevel;
  if (typeof level === 'number') return level;
  switch (String(level ?? '').toLowerCase()) {
    case 'none': return 1;
    case 'soft': return 2;
    case 'mature': return 4;
    case 'x': return 8;
    default: return 1;
  }
}

/**
 * The first still image within the NSFW limit (1 PG, 2 PG-13, 4 R, 8 X, 16 XXX), as
 * Civitai Helper picks it; videos are skipped. The URL asks for a 450 px wide rendition.
 */
export function choosePreviewImage(images: CivitaiImage[] | undefined, maxNsfwLevel: number): { url: string } | null {
  for (const image of images ?? []) {
    if (!image?.url || (image.type && image.type !== 'image')) continue;
    if (/\.(mp4|webm|mov)(\?|$)/i.test(image.url)) continue;
    if (nsfwLevel(image) > maxNsfwLevel) continue;
    return { url: image.url.replace('/original=true/', '/width=450/') };
  }
  return null;
}

/** Real PNG bytes: Civitai serves JPEG/WebP, which other tools save raw under `.png`. */
export async function toPng(data: Buffer): Promise<Buffer> {
  if (data.subarray(0, 8).equals(PNG_MAGIC)) return data;
  return sharp(data, { animated: false, limitInputPixels: 64_000_000 }).png().toBuffer();
}

/**
 * Writes `<base>.preview.png` unless the model already has a preview of any accepted
 * name: exactly one preview per model.
 */
export async function writePreviewIfMissing(modelPath: string, fetchImage: () => Promise<Buffer | null>): Promise<string | null> {
  const dir = path.dirname(modelPath);
  const files = new Set(await fs.readdir(dir).catch(() => [] as string[]));
  if (findPreviewName(path.basename(modelPath), files)) return null;
  const data = await fetchImage();
  if (!data || data.length === 0 || data.length > MAX_PREVIEW_BYTES) return null;
  const png = await toPng(data);
  const target = previewPngPath(modelPath);
  await writeFileAtomic(target, png);
  return path.basename(target);
}

/** Downloads an image (a public CDN URL: no token) with a deadline and a size cap. */
export async function fetchImageBytes(url: string, userAgent: string, timeoutMs = 30_000): Promise<Buffer | null> {
  const res = await fetch(url, { headers: { 'User-Agent': userAgent }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const type = res.headers.get('content-type') ?? '';
  if (!/^image\//i.test(type)) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const length = Number(res.headers.get('content-length') ?? 0);
  if (length > MAX_PREVIEW_BYTES) {
    await res.body?.cancel().catch(() => {});
    return null;
  }
  const data = Buffer.from(await res.arrayBuffer());
  return data.length > MAX_PREVIEW_BYTES ? null : data;
}
