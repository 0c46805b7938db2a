import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../../civitai/backoff.ts';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { HashFollower, HashPool } from '../hashing/hash-pool.ts';
import { DownloadError } from './download-error.ts';
import type { DownloadRow } from './download-row.ts';
import type { DownloadStore } from './download-store.ts';
import { TransferRunner } from './transfer-runner.ts';

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
const MAX_HOPS = 5;
/** Restarts that make no progress (fresh URL, truncation) before the transfer gives up. */
const MAX_RESTARTS = 10;

interface TransferState {
  expected: number | null;
  signedUrl: string | null;
  signedExpires: number | null;
  fresh: boolean;
  follower: HashFollower | null;
  rangeStarts: number[];
}

type Outcome = { done: TransferResult } | { again: string };

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

function restartHash(part: string, state: TransferState, pool: HashPool): void {
  state.follower?.abort();
  state.follower = pool.follow(part);
}

async function truncate(part: string, state: TransferState, pool: HashPool): Promise<void> {
  await fsp.writeFile(part, Buffer.alloc(0));
  restartHash(part, state, pool);
}

/** One try: from the `.part`'s current size to the end, or a reason to go round again. */
async function attempt(row: DownloadRow, deps: TransferDeps, signal: AbortSignal, state: TransferState, runner: TransferRunner): Promise<Outcome> {
  const now = deps.now ?? Date.now;
  const part = row.part_path;
  let offset = await sizeOf(part);
  if (state.expected !== null && offset > state.expected) {
    await truncate(part, state, deps.pool);
    offset = 0;
  }
  state.follower ??= deps.pool.follow(part);
  state.follower.grow(offset);
  if (state.expected !== null && offset === state.expected && offset > 0) {
    return { done: { size: offset, sha256: await state.follower.end(offset), rangeStarts: state.rangeStarts } };
  }

  if (!state.signedUrl || (state.signedExpires !== null && state.signedExpires - now() < EXPIRY_MARGIN_MS)) {
    const resolved = await deps.client.resolveDownload(row.version_id, row.file_id, signal);
    state.signedUrl = resolved.url;
    state.signedExpires = resolved.expiresAt;
    state.fresh = true;
    deps.store.setSignedUrl(row.id, resolved.url, resolved.expiresAt);
  }

  let url = state.signedUrl;
  for (let hops = 0; ; hops++) {
    const headers: Record<string, string> = { 'User-Agent': deps.userAgent, Accept: '*/*', 'Accept-Encoding': 'identity' };
    // The token only ever goes to the Civitai API origin, never to storage.
    const authorization = await deps.client.authorizationFor(url);
    if (authorization) headers.Authorization = authorization;
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    state.rangeStarts.push(offset);
    const outcome = await runner.run({
      url, headers, offset, part, expectSafetensors: /\.safetensors$/i.test(row.file_name), expected: state.expected,
      headersTimeoutMs: deps.headersTimeoutMs, idleTimeoutMs: deps.idleTimeoutMs,
    }, signal, {
      onProgress: (bytes, written) => {
        state.follower?.grow(written);
        deps.onProgress(bytes, state.expected);
      },
      onRestart: () => {
        deps.logger.info({ download: row.id, offset }, 'server ignored Range; restarting from zero');
        restartHash(part, state, deps.pool);
      },
      onTotal: (total) => {
        if (state.expected === null) {
          state.expected = total;
          deps.store.setExpectedSize(row.id, total);
        }
      },
    });
    switch (outcome.kind) {
      case 'redirect':
        if (hops >= MAX_HOPS) throw new DownloadError('cdn_error', 'The storage server redirected too many times.');
        url = outcome.location;
        continue;
      case 'done':
        return { done: { size: outcome.size, sha256: await state.follower!.end(outcome.size), rangeStarts: state.rangeStarts } };
      case 'aborted':
        throw signal.reason;
      case 'broken':
        throw new DownloadError('network', `The transfer broke off: ${outcome.message}.`, { retryable: true });
      case 'refused':
        throw new DownloadError('error_body', `Refused to save the answer as a model: ${outcome.reason}.`);
      case 'range_not_satisfiable':
        if (state.expected !== null && offset >= state.expected) return { again: 'range beyond the end' };
        await truncate(part, state, deps.pool);
        return { again: 'range not satisfiable' };
      case 'range_mismatch':
        await truncate(part, state, deps.pool);
        return { again: `unexpected Content-Range ${outcome.contentRange ?? '(none)'}` };
      case 'status': {
        const { status, body } = outcome;
        if ([400, 401, 403, 404, 410].includes(status) && !deps.client.isApiOrigin(url)) {
          if (!state.fresh) {
            // The stored signed URL has expired (storage answers 403 like S3/R2): ask Civitai again.
            deps.logger.info({ download: row.id, status }, 'signed URL refused; asking Civitai for a fresh one');
            state.signedUrl = null;
            state.signedExpires = null;
            deps.store.setSignedUrl(row.id, null, null);
            return { again: 'signed URL expired' };
          }
          throw new DownloadError('cdn_error', `The storage server refused a fresh download link (${status}).${body ? ` ${body.slice(0, 200)}` : ''}`);
        }
        if (status === 429 || status >= 500) throw new DownloadError('network', `The storage server answered ${status}.`, { retryable: true });
        throw new DownloadError('cdn_error', `The storage server answered ${status}.${body ? ` ${body.slice(0, 200)}` : ''}`);
      }
    }
  }
}

/**
 * Downloads one file into its `.part` on a worker thread: signed URL from Civitai (a fresh
 * one when the stored one expired or is refused), HTTP Range from the `.part`'s size, a 200
 * to a Range request restarts from zero, an error body is refused before a byte is written,
 * and a second worker hashes the `.part` as it grows so the SHA256 is ready when the last
 * byte lands. Network failures are retried with backoff; progress resets the count.
 */
export async function transferFile(row: DownloadRow, deps: TransferDeps, signal: AbortSignal): Promise<TransferResult> {
  await fsp.mkdir(path.dirname(row.part_path), { recursive: true });
  const state: TransferState = {
    expected: row.expected_size, signedUrl: row.signed_url, signedExpires: row.signed_url_expires, fresh: false, follower: null, rangeStarts: [],
  };
  const runner = new TransferRunner();
  let failures = 0;
  let restarts = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const before = await sizeOf(row.part_path);
      try {
        const outcome = await attempt(row, deps, signal, state, runner);
        if ('done' in outcome) return outcome.done;
        if (++restarts > MAX_RESTARTS) throw new DownloadError('cdn_error', `The download keeps restarting (${outcome.again}).`);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const e = DownloadError.from(error);
        if (!e.retryable) throw e;
        if ((await sizeOf(row.part_path)) > before) failures = 0;
        if (++failures > deps.maxRetries) throw e;
        deps.logger.warn({ download: row.id, err: e.message, failures }, 'download interrupted; retrying');
        await sleep(backoffDelay(deps.backoff, failures - 1, null), signal);
      }
    }
  } catch (error) {
    state.follower?.abort();
    throw error;
  } finally {
    await runner.close();
  }
}
