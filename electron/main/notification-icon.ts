/**
 * The icon of a job notification: the job's first image's thumbnail, fetched from the
 * embedded engine and turned into a PNG (Electron's nativeImage reads PNG and JPEG only).
 */
import { TOKEN_HEADER } from './engine-access.ts';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export function thumbnailUrl(engineUrl: string, imageId: number): string {
  return `${engineUrl.replace(/\/+$/, '')}/api/v1/images/${encodeURIComponent(String(imageId))}/thumbnail`;
}

/** The thumbnail as PNG/JPEG bytes, or null (no image, engine error, timeout: the app icon is used). */
export async function fetchThumbnail(
  engineUrl: string,
  imageId: number | null,
  token: string,
  options: { fetch?: FetchLike; timeoutMs?: number; toPng?: (bytes: Buffer) => Promise<Buffer> } = {},
): Promise<Buffer | null> {
  if (imageId === null) return null;
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init));
  try {
    const response = await doFetch(thumbnailUrl(engineUrl, imageId), {
      headers: { [TOKEN_HEADER]: token, Accept: 'image/*' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
    });
    if (!response.ok) return null;
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    if (/^image\/(png|jpeg)\b/i.test(type)) return bytes;
    return await (options.toPng ?? convertToPng)(bytes);
  } catch {
    return null;
  }
}

async function convertToPng(bytes: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(bytes).resize(256, 256, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
}
