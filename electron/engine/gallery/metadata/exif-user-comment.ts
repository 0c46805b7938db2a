/**
 * The EXIF UserComment of a TIFF block (JPEG APP1 `Exif\0\0…`, WebP `EXIF` chunk), where
 * A1111/Forge and SwarmUI keep their generation text in JPEG and WebP files. Also the
 * IFD0 ImageDescription, which some tools use instead. Never throws on damaged data.
 */
const USER_COMMENT = 0x9286;
const EXIF_IFD = 0x8769;
const IMAGE_DESCRIPTION = 0x010e;

export function readExifText(block: Buffer): { userComment: string | null; description: string | null } {
  const none = { userComment: null, description: null };
  try {
    const tiff = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? block.subarray(6) : block;
    if (tiff.length < 8) return none;
    const little = tiff.toString('latin1', 0, 2) === 'II';
    if (!little && tiff.toString('latin1', 0, 2) !== 'MM') return none;
    const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
    const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
    /** tag → [type, count, value-or-offset position] of one IFD. */
    const entries = (ifd: number) => {
      const out = new Map<number, { type: number; count: number; at: number }>();
      if (ifd + 2 > tiff.length) return out;
      const n = u16(ifd);
      for (let i = 0; i < n; i++) {
        const e = ifd + 2 + i * 12;
        if (e + 12 > tiff.length) break;
        const count = u32(e + 4);
        out.set(u16(e), { type: u16(e + 2), count, at: count > 4 ? u32(e + 8) : e + 8 });
      }
      return out;
    };
    const bytesOf = (entry: { count: number; at: number } | undefined) =>
      entry && entry.at + entry.count <= tiff.length ? tiff.subarray(entry.at, entry.at + entry.count) : null;
    const ifd0 = entries(u32(4));
    const descriptionBytes = bytesOf(ifd0.get(IMAGE_DESCRIPTION));
    const description = descriptionBytes ? descriptionBytes.toString('utf8').replace(/\0+$/, '') || null : null;
    const exifPointer = ifd0.get(EXIF_IFD);
    const comment = exifPointer ? bytesOf(entries(u32(exifPointer.at)).get(USER_COMMENT)) : null;
    return { userComment: comment ? decodeUserComment(comment) : null, description };
  } catch {
    return none;
  }
}

/**
 * UserComment starts with an 8-byte character code. A1111 writes `UNICODE\0` then UTF-16
 * big-endian (piexif), whatever the TIFF byte order; other tools follow the byte order,
 * so the order is told from where the zero bytes of ASCII text fall.
 */
function decodeUserComment(data: Buffer): string | null {
  const code = data.toString('latin1', 0, 8);
  const body = data.subarray(8);
  let text: string;
  if (code.startsWith('UNICODE')) {
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < Math.min(body.length, 400); i += 2) {
      if (body[i] === 0) evenZeros++;
      if (body[i + 1] === 0) oddZeros++;
    }
    const even = body.subarray(0, body.length - (body.length % 2));
    text = evenZeros >= oddZeros ? Buffer.from(even).swap16().toString('utf16le') : even.toString('utf16le');
  } else {
    // 'ASCII' or undefined: tools write UTF-8 there in practice; bytes that are not UTF-8 are read as Latin-1.
    const utf8 = body.toString('utf8');
    text = utf8.includes('\ufffd') ? body.toString('latin1') : utf8;
  }
  text = text.replace(/\0+$/, '');
  return text.trim() ? text : null;
}
