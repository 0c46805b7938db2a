/** Recognises the image formats backends send, by magic bytes. */
export function imageMime(data: Buffer): string | null {
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export function extensionForMime(mime: string): string {
  return mime === 'image/jpeg' ? 'jpg' : mime === 'image/webp' ? 'webp' : 'png';
}

/** Decodes a strict base64 image (optionally a data: URL); null when it is not a valid image. */
export function decodeBase64Image(value: unknown): Buffer | null {
  if (typeof value !== 'string') return null;
  const b64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(b64)) return null;
  const data = Buffer.from(b64, 'base64');
  return imageMime(data) ? data : null;
}
