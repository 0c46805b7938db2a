import fs from 'node:fs';
import { readPngText } from '../../results/png-text.ts';
import { readExifText } from './exif-user-comment.ts';

/**
 * What the gallery needs from an image file without decoding its pixels: the format, the
 * size from the header, and the metadata text. Only the head of the file is read (text
 * chunks come before the pixel data in practice); a text chunk or EXIF block that runs
 * past the head is read by position, and WebP chunk headers are walked by position, so
 * a 20 MB file costs a few small reads. Reads are synchronous: the caller reads a few
 * dozen files per slice and yields between slices (far faster than a thread-pool round
 * trip per read for files of a local disk).
 */
export interface ImageHeader {
  mime: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number | null;
  height: number | null;
  /** PNG text chunks by keyword; for JPEG/WebP the EXIF UserComment as `parameters`. */
  text: Record<string, string>;
}

const HEAD_BYTES = 16 * 1024;
/** A metadata block larger than this is not read (a damaged length, or not metadata). */
const MAX_BLOCK = 16 * 1024 * 1024;

type ReadAt = (position: number, length: number) => Buffer;

/** Reads the header of the file (whose size the caller knows from listing it). */
export function readImageHeader(file: string, size?: number): ImageHeader | null {
  const fd = fs.openSync(file, 'r');
  try {
    const total = size ?? fs.fstatSync(fd).size;
    const readAt: ReadAt = (position, length) => {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, total - position)));
      const bytesRead = fs.readSync(fd, buffer, 0, buffer.length, position);
      return buffer.subarray(0, bytesRead);
    };
    return parseImageHeader(readAt(0, HEAD_BYTES), total, readAt);
  } finally {
    fs.closeSync(fd);
  }
}

export function parseImageHeader(head: Buffer, size: number, readAt: ReadAt): ImageHeader | null {
  if (head.length >= 24 && head.readUInt32BE(0) === 0x89504e47) return pngHeader(head, size, readAt);
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) return jpegHeader(head, size, readAt);
  if (head.length >= 16 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return webpHeader(head, size, readAt);
  return null;
}

function pngHeader(head: Buffer, size: number, readAt: ReadAt): ImageHeader {
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  // Walk to the first IDAT; when a text chunk runs past the head, read up to it in one go.
  let offset = 8;
  let data = head;
  while (offset + 8 <= size) {
    if (offset + 8 > data.length) {
      data = Buffer.concat([data, readAt(data.length, Math.min(MAX_BLOCK, offset + 8 - data.length + HEAD_BYTES))]);
      if (offset + 8 > data.length) break;
    }
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    const end = offset + 12 + length;
    if (end > data.length) {
      if (end > MAX_BLOCK || end > size) break;
      data = Buffer.concat([data, readAt(data.length, end - data.length)]);
    }
    offset = end;
  }
  return { mime: 'image/png', width, height, text: readPngText(data.subarray(0, offset)) };
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegHeader(head: Buffer, size: number, readAt: ReadAt): ImageHeader {
  let width: number | null = null;
  let height: number | null = null;
  const text: Record<string, string> = {};
  let offset = 2;
  let data = head;
  const ensure = (end: number) => {
    if (end > data.length && end <= size && end <= MAX_BLOCK) data = Buffer.concat([data, readAt(data.length, end - data.length)]);
    return end <= data.length;
  };
  while (ensure(offset + 4)) {
    if (data[offset] !== 0xff) break;
    const marker = data[offset + 1];
    if (marker === 0xff) { offset++; continue; }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, start of scan: no metadata after
    const length = data.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (SOF.has(marker) && (ensure(offset + 9))) {
      height = data.readUInt16BE(offset + 5);
      width = data.readUInt16BE(offset + 7);
      break; // metadata segments come before the frame header
    }
    if (marker === 0xe1 && (ensure(end)) && data.toString('latin1', offset + 4, offset + 10) === 'Exif\0\0') {
      const exif = readExifText(data.subarray(offset + 4, end));
      const textValue = exif.userComment ?? exif.description;
      if (textValue && !text.parameters) text.parameters = textValue;
    }
    if (marker === 0xfe && (ensure(end)) && !text.parameters) {
      // A JPEG comment: some tools keep the infotext there instead.
      const comment = data.toString('utf8', offset + 4, end).replace(/\0+$/, '');
      if (/Steps: \d/.test(comment)) text.parameters = comment;
    }
    offset = end;
  }
  return { mime: 'image/jpeg', width, height, text };
}

function webpHeader(head: Buffer, size: number, readAt: ReadAt): ImageHeader {
  let width: number | null = null;
  let height: number | null = null;
  const text: Record<string, string> = {};
  const riffEnd = Math.min(size, head.readUInt32LE(4) + 8);
  let offset = 12;
  while (offset + 8 <= riffEnd) {
    const header = offset + 8 <= head.length ? head.subarray(offset, offset + 8) : readAt(offset, 8);
    if (header.length < 8) break;
    const type = header.toString('latin1', 0, 4);
    const length = header.readUInt32LE(4);
    const start = offset + 8;
    const body = (n: number) => (start + n <= head.length ? head.subarray(start, start + n) : readAt(start, n));
    if (type === 'VP8X' && length >= 10) {
      const b = body(10);
      width = b.readUIntLE(4, 3) + 1;
      height = b.readUIntLE(7, 3) + 1;
    } else if (type === 'VP8 ' && width === null && length >= 10) {
      const b = body(10);
      width = b.readUInt16LE(6) & 0x3fff;
      height = b.readUInt16LE(8) & 0x3fff;
    } else if (type === 'VP8L' && width === null && length >= 5) {
      const b = body(5);
      const bits = b.readUInt32LE(1);
      width = (bits & 0x3fff) + 1;
      height = ((bits >> 14) & 0x3fff) + 1;
    } else if (type === 'EXIF' && length <= MAX_BLOCK) {
      const exif = readExifText(body(length));
      const textValue = exif.userComment ?? exif.description;
      if (textValue) text.parameters = textValue;
    }
    offset = start + length + (length % 2);
  }
  return { mime: 'image/webp', width, height, text };
}
