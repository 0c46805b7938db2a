import { inflateSync } from 'node:zlib';

/**
 * Reads PNG text chunks (tEXt, zTXt, iTXt): A1111 keeps its infotext in `parameters`,
 * ComfyUI its graphs in `prompt` and `workflow`. Stops at IDAT, where text chunks end
 * in practice, and never throws on damaged files.
 */
export function readPngText(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  if (data.length < 8 || data.readUInt32BE(0) !== 0x89504e47) return out;
  let offset = 8;
  while (offset + 8 <= data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const start = offset + 8;
    const end = start + length;
    if (end > data.length) break;
    const chunk = data.subarray(start, end);
    try {
      if (type === 'tEXt') {
        const sep = chunk.indexOf(0);
        if (sep > 0) out[chunk.toString('latin1', 0, sep)] = chunk.toString('latin1', sep + 1);
      } else if (type === 'zTXt') {
        const sep = chunk.indexOf(0);
        if (sep > 0) out[chunk.toString('latin1', 0, sep)] = inflateSync(chunk.subarray(sep + 2)).toString('latin1');
      } else if (type === 'iTXt') {
        const sep = chunk.indexOf(0);
        const compressed = chunk[sep + 1] === 1;
        let pos = sep + 3;
        pos = chunk.indexOf(0, pos) + 1; // language tag
        pos = chunk.indexOf(0, pos) + 1; // translated keyword
        const text = chunk.subarray(pos);
        out[chunk.toString('latin1', 0, sep)] = (compressed ? inflateSync(text) : text).toString('utf8');
      } else if (type === 'IDAT' || type === 'IEND') {
        break;
      }
    } catch {
      // A damaged chunk is skipped; the image itself is still kept byte for byte.
    }
    offset = end + 4;
  }
  return out;
}
