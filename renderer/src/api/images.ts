/** An image's original bytes, for the browser to use as an init image (img2img). */
import { blobAsDataUrl } from '../lib/blob-data-url.ts';
import { ApiRequestError } from './errors.ts';
import { useApi } from './client.ts';

/** The stored image `imageId` as a data URL of its original file, and its file name. */
export async function imageAsDataUrl(imageId: number): Promise<{ dataUrl: string; name: string }> {
  const api = useApi();
  const res = await fetch(api.assetUrl(`/api/v1/images/${imageId}/download`), { credentials: 'same-origin' });
  if (!res.ok) throw new ApiRequestError(res.status, `http_${res.status}`, `Could not load image ${imageId} (HTTP ${res.status}).`);
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `image-${imageId}.png`;
  return { dataUrl: await blobAsDataUrl(await res.blob()), name };
}
