import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../../civitai/backoff.ts';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { HashFollower, HashPool } from '../hashing/hash-pool.ts';
import { GUARD_PREFIX_BYTES, inspectBody, inspectContentType } from './body-guard.ts';
import { DownloadError } from './download-error.ts';
import type { DownloadRow } from './download-row.ts';
import type { DownloadStore } from './download-store.ts';
import { httpGet } from './http-get.ts';

export interface TransferDeps {
  client: CivitaiClient;
  store: DownloadStore;
  pool: HashPool;
  logger: Logger;
  userAgent: string;
  backoff: BackoffPolicy;
  /** Failed tries in a row (without progress) before giving up. */
  maxRetries: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  onProgress: (bytes: number, total: number | null) => void;
  now?: () => number;
}

export interface TransferResult {
  size: number;
  sha256: string;
  /** Offsets the transfer asked the server to start from (0 = from the beginning). */
  rangeStarts: number[];
}

/** A signed URL this close to its expiry is not used; a fresh one is asked for. */
const EXPIRY_MARGIN_MS = 30_000;
const GROW_EVERY_MS = 200;
const MAX_HOPS = 5;

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return 0;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function parseContentRange(value: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(value?.trim() ?? '');
  return m ? { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) } : null;
}

/** Reads the first `n` bytes (or the whole body if shorter) and leaves the stream paused. */
function readPrefix(res: IncomingMessage, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (error?: Error) => {
      res.off('data', onData);
      res.off('end', onEnd);
      res.off('error', onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= n) {
        res.pause();
        done();
      }
    };
    const onEnd = () => done();
    const onError = (error: Error) => done(error);
    res.on('data', onData);
    res.on('end', onEnd);
    res.on('error', onError);
  });
}

async function drain(res: IncomingMessage): Promise<string> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) {
    if (text.length < 2000) text += chunk;
  }
  return text.slice(0, 2000);
}

/**
 * Downloads one file into its `.part`: signed URL from Civitai (fresh when the stored one
 * expired or is refused), HTTP Range from the `.part`'s size, a 200 to a Range request
 * restarts from zero, error bodies are refused before a byte is written, and a worker
 * hashes the `.part` as it grows so the SHA256 is ready when the last byte lands.
 */
export async function transferFile(row: DownloadRow, deps: TransferDeps, signal: AbortSignal): Promise<TransferResult> {
  const now = deps.now ?? Date.now;
  const part = row.part_path;
  await fsp.mkdir(path.dirname(part), { recursive: true });
  const rangeStarts: number[] = [];
  let expected = row.expected_size;
  let signedUrl = row.signed_url;
  let signedExpires = row.signed_url_expires;
  let fresh = false;
  let failures = 0;
  let follower: HashFollower | null = null;
  const restartHash = () => {
    follower?.abort();
    follower = deps.pool.follow(part);
  };
  const truncate = async () => {
    await fsp.writeFile(part, Buffer.alloc(0));
    restartHash();
  };

  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      let offset = await sizeOf(part);
      if (expected !== null && offset > expected) {
        await truncate();
        offset = 0;
      }
      follower ??= deps.pool.follow(part);
      follower.grow(offset);
      if (expected !== null && offset === expected && offset > 0) {
        return { size: offset, sha256: await follower.end(offset), rangeStarts };
      }

      if (!signedUrl || (signedExpires !== null && signedExpires - now() < EXPIRY_MARGIN_MS)) {
        const resolved = await deps.client.resolveDownload(row.version_id, row.file_id, signal);
        signedUrl = resolved.url;
        signedExpires = resolved.expiresAt;
        fresh = true;
        deps.store.setSignedUrl(row.id, signedUrl, signedExpires);
      }

      let res: IncomingMessage;
      let url = signedUrl;
      let hops = 0;
      try {
        for (;;) {
          const headers: Record<string, string> = { 'User-Agent': deps.userAgent, Accept: '*/*', 'Accept-Encoding': 'identity' };
          // The token only ever goes to the Civitai API origin, never to storage.
          if (deps.client.isApiOrigin(url)) {
            const token = await (deps.client as unknown as { tokenForDownload?: () => Promise<string | null> }).tokenForDownload?.();
            if (token) headers.Authorization = `Bearer ${token}`;
          }
          if (offset > 0) headers.Range = `bytes=${offset}-`;
          rangeStarts.push(offset);
          res = await httpGet(url, { headers, signal, headersTimeoutMs: deps.headersTimeoutMs, idleTimeoutMs: deps.idleTimeoutMs });
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location && hops < MAX_HOPS) {
            res.resume();
            url = new URL(res.headers.location, url).toString();
            hops++;
            continue;
          }
          break;
        }
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw DownloadError.from(error);
      }

      const status = res.statusCode ?? 0;
      if (status === 416) {
        res.resume();
        if (expected !== null && offset >= expected) continue;
        await truncate();
        continue;
      }
      if (status === 200 && offset > 0) {
        // The server ignored Range: start over (Stability Matrix does the same).
        deps.logger.info({ download: row.id, offset }, 'server ignored Range; restarting from zero');
        await truncate();
        offset = 0;
      } else if (status === 206) {
        const range = parseContentRange(res.headers['content-range']);
        if (!range || range.start !== offset) {
          res.resume();
          deps.logger.warn({ download: row.id, offset, contentRange: res.headers['content-range'] }, 'unexpected Content-Range; restarting from zero');
          await truncate();
          continue;
        }
        if (range.total !== null && expected === null) expected = range.total;
      } else if (status !== 200) {
        const body = await drain(res).catch(() => '');
        if ([400, 401, 403, 404, 410].includes(status) && !deps.client.isApiOrigin(url)) {
          if (!fresh) {
            // The stored signed URL has expired (the CDN answers 403 like S3/R2): ask Civitai again.
            deps.logger.info({ download: row.id, status }, 'signed URL refused; asking Civitai for a fresh one');
            signedUrl = null;
            signedExpires = null;
            continue;
          }
          throw new DownloadError('cdn_error', `The storage server refused a fresh download link (${status}).${body ? ` ${body.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`);
        }
        if (status === 429 || status >= 500) {
          throw new DownloadError('network', `The storage server answered ${status}.`, { retryable: true });
        }
        throw new DownloadError('cdn_error', `The storage server answered ${status}.`);
      }

      const typeVerdict = inspectContentType(res.headers['content-type']);
      if (!typeVerdict.ok) {
        res.destroy();
        throw new DownloadError('error_body', `Refused to save the answer as a model: ${typeVerdict.reason}.`);
      }
      if (status === 200) {
        const length = Number(res.headers['content-length']);
        if (Number.isFinite(length) && length > 0 && expected === null) expected = length;
      }
      if (expected !== null && row.expected_size === null) deps.store.setExpectedSize(row.id, expected);

      const prefix = await readPrefix(res, GUARD_PREFIX_BYTES).catch((error: Error) => { throw DownloadError.from(error); });
      const verdict = inspectBody(prefix, { offset, expectSafetensors: /\.safetensors$/i.test(row.file_name), totalSize: expected });
      if (!verdict.ok) {
        res.destroy();
        throw new DownloadError('error_body', `Refused to save the answer as a model: ${verdict.reason}.`);
      }

      const out = fs.createWriteStream(part, { flags: offset > 0 ? 'a' : 'w', highWaterMark: 4 * 1024 * 1024 });
      let received = 0;
      const total = expected;
      const grow = setInterval(() => follower?.grow(offset + out.bytesWritten), GROW_EVERY_MS);
      const count = (chunk: Buffer) => {
        received += chunk.length;
        deps.onProgress(offset + received, total);
      };
      res.on('data', count);
      out.write(prefix);
      count(prefix);
      try {
        await pipeline(res, out, { signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (received > 0) failures = 0;
        failures++;
        if (failures > deps.maxRetries) throw DownloadError.from(error);
        deps.logger.warn({ download: row.id, err: (error as Error).message, at: offset + received }, 'transfer interrupted; resuming');
        await sleep(backoffDelay(deps.backoff, failures - 1, null), signal);
        continue;
      } finally {
        clearInterval(grow);
        res.off('data', count);
      }
      const size = offset + received;
      if (expected !== null && size < expected) {
        failures++;
        if (failures > deps.maxRetries) throw new DownloadError('network', `The transfer ended at ${size} of ${expected} bytes.`, { retryable: true });
        continue;
      }
      return { size, sha256: await follower.end(size), rangeStarts };
    }
  } catch (error) {
    follower?.abort();
    if (signal.aborted) throw signal.reason;
    const e = DownloadError.from(error);
    if (e.retryable && failures < deps.maxRetries && !(e.code === 'error_body')) {
      failures++;
      await sleep(backoffDelay(deps.backoff, failures - 1, null), signal);
      return transferFile({ ...row, signed_url: signedUrl, signed_url_expires: signedExpires, expected_size: expected }, deps, signal);
    }
    throw e;
  }
}
