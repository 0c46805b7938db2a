/**
 * The icon of a job notification: the job's first image's thumbnail, asked of the engine
 * in-process and turned into a PNG (Electron's nativeImage reads PNG and JPEG only; the
 * engine's thumbnails are WebP).
 */
import type { Engine } from '../engine/engine-types.ts';

export const NOTIFICATION_ICON_SIZE = 256;

export type PngConverter = (bytes: Buffer) => Promise<Buffer>;

/** The thumbnail as PNG bytes, or null (no image, image gone, unreadable: the app icon is used). */
export async function notificationThumbnail(
  engine: Pick<Engine, 'thumbnail'>,
  imageId: number | null,
  toPng: PngConverter = convertToPng,
): Promise<Buffer | null> {
  if (imageId === null) return null;
  try {
    const thumbnail = await engine.thumbnail(imageId);
    return thumbnail ? await toPng(thumbnail) : null;
  } catch {
    return null;
  }
}

async function convertToPng(bytes: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(bytes).resize(NOTIFICATION_ICON_SIZE, NOTIFICATION_ICON_SIZE, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
}
