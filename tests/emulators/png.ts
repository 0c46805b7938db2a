/**
 * Real PNG files for the backend emulators.
 *
 * makePng renders a small deterministic picture (colours and stripes derived from
 * the seed, so different seeds give different bytes) with sharp, then inserts one
 * text chunk per `text` entry right after IHDR, the way PIL's PngInfo does:
 * `tEXt` when the value is Latin-1, otherwise an uncompressed `iTXt` (UTF-8).
 *
 * readPngTextChunks reads tEXt, iTXt and zTXt chunks back, for tests.
 * The ComfyUI emulator reuses makePng, so keep its signature stable.
 */
import { crc32, inflateSync } from 'node:zlib';
import sharp from 'sharp';

export interface MakePngOptions {
  width: number;
  height: number;
  seed: number;
  /** keyword → text; each becomes its own chunk, in insertion order */
  text?: Record<string, string>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_END = PNG_SIGNATURE.length + 4 + 4 + 13 + 4;

export async function makePng({ width, height, seed, text = {} }: MakePngOptions): Promise<Buffer> {
  const w = Math.max(1, Math.trunc(width));
  const h = Math.max(1, Math.trunc(height));
  const raw = renderPattern(w, h, seed);
  const png = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return insertTextChunks(png, text);
}

/** Inserts text chunks right after IHDR of an existing PNG. */
export function insertTextChunks(png: Buffer, text: Record<string, string>): Buffer {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const chunks = Object.entries(text).map(([key, value]) => textChunk(key, value));
  if (chunks.length === 0) return png;
  return Buffer.concat([png.subarray(0, IHDR_END), ...chunks, png.subarray(IHDR_END)]);
}

export function readPngTextChunks(buf: Buffer): Record<string, string> {
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  const out: Record<string, string> = {};
  let pos = 8;
  while (pos + 8 <= buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (type === 'tEXt') {
      const nul = data.indexOf(0);
      out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    } else if (type === 'zTXt') {
      const nul = data.indexOf(0);
      out[data.toString('latin1', 0, nul)] = inflateSync(data.subarray(nul + 2)).toString('latin1');
    } else if (type === 'iTXt') {
      const [key, value] = parseItxt(data);
      out[key] = value;
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + length;
  }
  return out;
}

function parseItxt(data: Buffer): [string, string] {
  const keyEnd = data.indexOf(0);
  const compressed = data[keyEnd + 1] === 1;
  const langEnd = data.indexOf(0, keyEnd + 3);
  const translatedEnd = data.indexOf(0, langEnd + 1);
  const body = data.subarray(translatedEnd + 1);
  return [data.toString('latin1', 0, keyEnd), (compressed ? inflateSync(body) : body).toString('utf8')];
}

function textChunk(key: string, value: string): Buffer {
  const isLatin1 = /^[\u0000-\u00ff]*$/.test(value);
  const data = isLatin1
    ? Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0]), Buffer.from(value, 'latin1')])
    : // keyword, NUL, compression flag 0, method 0, empty language NUL, empty translated keyword NUL, UTF-8 text
      Buffer.concat([Buffer.from(key, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(value, 'utf8')]);
  return chunk(isLatin1 ? 'tEXt' : 'iTXt', data);
}

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** Smooth gradient plus seed-dependent diagonal stripes: cheap to draw, compresses well. */
function renderPattern(width: number, height: number, seed: number): Buffer {
  const rand = mulberry32(Math.trunc(seed) >>> 0 ^ Math.trunc(seed / 2 ** 32));
  const base = [rand() * 255, rand() * 255, rand() * 255];
  const stripe = 4 + Math.floor(rand() * 28);
  const slope = 1 + Math.floor(rand() * 3);
  const out = Buffer.allocUnsafe(width * height * 3);
  let i = 0;
  for (let y = 0; y < height; y++) {
    const gy = (y / height) * 96;
    for (let x = 0; x < width; x++) {
      const band = Math.floor((x + y * slope) / stripe) & 1 ? 40 : 0;
      const gx = (x / width) * 96;
      out[i++] = (base[0] + gx + band) & 255;
      out[i++] = (base[1] + gy + band) & 255;
      out[i++] = (base[2] + (gx + gy) / 2) & 255;
    }
  }
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
