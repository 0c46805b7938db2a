import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A callback's body with the images attached (multipart/form-data): the JSON result as the
 * `payload` field, then each image file as an `images` part with its own name, as an
 * upload form would send them. Files are read when the try is made, so a retry sends the
 * same bytes the gallery holds.
 */
export async function callbackForm(json: string, images: { path: string; name: string; mime: string }[]): Promise<FormData> {
  const form = new FormData();
  form.append('payload', new Blob([json], { type: 'application/json' }), 'payload.json');
  for (const image of images) {
    const bytes = await fs.readFile(image.path);
    form.append('images', new Blob([bytes], { type: image.mime }), image.name || path.basename(image.path));
  }
  return form;
}
