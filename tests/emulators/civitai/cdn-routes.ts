/**
 * The storage side (R2/B2-like) on its own origin: signed links that expire (403 XML
 * like S3), Range (206 + Content-Range, 416), Content-Disposition file names, files
 * streamed with backpressure from their generator; faults: stall at an offset, throttle,
 * error pages served with status 200. Preview images (JPEG) come from the API origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import sharp from 'sharp';
import { makePng } from '../png.ts';
import type { EmuFile } from './catalog.ts';
import { sendText, type EmulatorState, type TransferRecord } from './state.ts';

const S3_EXPIRED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
const S3_DENIED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>';
const CLOUDFLARE_PAGE = '<!DOCTYPE html>\n<html lang="en-US"><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>\n';

const jpegCache = new Map<number, Promise<Buffer>>();

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix > 0 ? { start: Math.max(0, size - suffix), end: size - 1 } : 'invalid';
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'invalid';
  return { start, end };
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function streamFile(state: EmulatorState, res: ServerResponse, file: EmuFile, start: number, end: number, transfer: TransferRecord): Promise<void> {
  const stall = state.faults.stallAt && (state.faults.stallAt.fileId === null || state.faults.stallAt.fileId === file.id) ? state.faults.stallAt.offset : null;
  const throttle = state.faults.throttleBps;
  const began = Date.now();
  const size = file.content.size;
  let pos = start;
  for (const chunk of file.content.chunks(start, end + 1)) {
    if (res.destroyed) return;
    let piece = chunk;
    if (file.cdn === 'corrupt' && pos <= size / 2 && pos + piece.length > size / 2) {
      // One flipped byte mid-file: the size is right, the SHA256 is not.
      piece = Buffer.from(piece);
      piece[Math.floor(size / 2) - pos] ^= 0xff;
    }
    if (stall !== null && pos + piece.length > stall && pos < stall + 1) {
      piece = piece.subarray(0, Math.max(0, stall - pos));
      if (piece.length) res.write(piece);
      transfer.bytesSent += piece.length;
      state.stalled.add(res);
      res.on('close', () => state.stalled.delete(res));
      state.onStall(file.id, stall);
      return; // hold the connection open: the client sees a stalled transfer
    }
    // Throttled: slices of about 50 ms each, paced, like a slow link. Whole chunks (up to
    // 1 MiB) would arrive as one burst followed by seconds of silence, and a client measuring
    // its speed over the first second would see the burst, not the throttle.
    const step = throttle ? Math.max(1024, Math.floor(throttle / 20)) : piece.length;
    for (let i = 0; i < piece.length; i += step) {
      if (res.destroyed) return;
      const slice = piece.subarray(i, i + step);
      res.write(slice);
      pos += slice.length;
      transfer.bytesSent += slice.length;
      if (throttle) {
        const due = began + ((pos - start) / throttle) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      if (res.writableNeedDrain) await waitDrain(res);
    }
  }
  res.end();
}

/** Preview images (JPEG, like image.civitai.com); served from the API origin. */
export async function serveImage(state: EmulatorState, res: ServerResponse, url: URL): Promise<boolean> {
  const m = /^\/img\/[^/]+\/[^/]+\/[^/]+\/(\d+)\.jpeg$/.exec(url.pathname);
  if (!m) return false;
  const image = state.catalog.images.get(Number(m[1]));
  if (!image) {
    sendText(res, 404, 'text/plain', 'Not found');
    return true;
  }
  let jpeg = jpegCache.get(image.id);
  if (!jpeg) {
    jpeg = makePng({ width: image.width, height: image.height, seed: image.seed }).then((png) => sharp(png).jpeg({ quality: 80 }).toBuffer());
    jpegCache.set(image.id, jpeg);
  }
  const data = await jpeg;
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': data.length, 'Cache-Control': 'public, max-age=31536000' });
  res.end(data);
  return true;
}

export async function handleCdn(state: EmulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let m: RegExpExecArray | null;
  if (await serveImage(state, res, url)) return;
  if (!(m = /^\/files\/(\d+)\/([^/]+)$/.exec(url.pathname))) return sendText(res, 404, 'application/xml', '<Error><Code>NoSuchKey</Code></Error>');
  const check = state.signer.check(url);
  if (check !== 'ok') return sendText(res, 403, 'application/xml', check === 'expired' ? S3_EXPIRED : S3_DENIED);
  const file = state.catalog.files.get(Number(m[1]));
  if (!file) return sendText(res, 404, 'application/xml', '<Error><Code>NoSuchKey</Code></Error>');
  if (state.faults.storageDown) {
    state.transfers.push({ fileId: file.id, start: 0, status: 503, bytesSent: 0 });
    return sendText(res, 503, 'application/xml', '<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>');
  }
  const size = file.content.size;
  const transfer: TransferRecord = { fileId: file.id, start: 0, status: 200, bytesSent: 0 };
  state.transfers.push(transfer);
  if (file.cdn === 'html') {
    transfer.status = 200;
    return sendText(res, 200, 'text/html; charset=UTF-8', CLOUDFLARE_PAGE);
  }
  if (file.cdn === 'json') {
    // An error body with a lying content type: only sniffing the bytes catches it.
    const body = JSON.stringify({ error: 'Unauthorized', message: 'The creator of this asset requires you to be logged in to download it' });
    return sendText(res, 200, 'application/octet-stream', body, { 'Content-Disposition': `attachment; filename="${file.name}"` });
  }
  const range = file.cdn === 'no_range' ? null : parseRange(req.headers.range, size);
  if (range === 'invalid') {
    transfer.status = 416;
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'application/xml' });
    return void res.end('<Error><Code>InvalidRange</Code></Error>');
  }
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Accept-Ranges': file.cdn === 'no_range' ? 'none' : 'bytes',
    'Content-Disposition': `attachment; filename="${file.name.replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    ETag: `"${file.hashes?.SHA256.slice(0, 32).toLowerCase() ?? file.id}"`,
    'Last-Modified': new Date(Date.UTC(2025, 0, 1)).toUTCString(),
  };
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  transfer.start = start;
  if (range) {
    transfer.status = 206;
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': size });
  }
  if (req.method === 'HEAD') return void res.end();
  await streamFile(state, res, file, start, end, transfer);
}
