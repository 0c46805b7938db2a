import { crc32 } from 'node:zlib';

/**
 * Adds an iTXt chunk (UTF-8 text under `keyword`) to a PNG, right after its header chunk,
 * so tools that read PNG text (readPngText, A1111's PNG Info) find it before the pixels.
 */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  if (png.length < 33 || png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  const headerEnd = 8 + 8 + png.readUInt32BE(8) + 4; // signature, IHDR length+type, data, CRC
  // keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  const typeAndData = Buffer.concat([Buffer.from('iTXt', 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([png.subarray(0, headerEnd), length, typeAndData, crc, png.subarray(headerEnd)]);
}
