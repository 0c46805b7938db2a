import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startCivitaiEmulator } from '../emulators/civitai/index.ts';
import { startHeadless } from '../helpers/headless-process.ts';
import { api, waitFor } from '../helpers/http.ts';
import os from 'node:os';
import { round, type BenchResult } from './stats.ts';

const SIZE = 1024 * 1024 * 1024;
const RUNS = 3;

/**
 * A plain loopback GET of the same URL in its own process: reading and discarding (the
 * ceiling), or piping into a file next to the library (what the disk allows).
 */
const RAW_READER = `
import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
const [url, out] = process.argv.slice(1);
const started = performance.now();
http.get(url, async (res) => {
  let n = 0;
  res.on('data', (c) => { n += c.length; });
  if (out) await pipeline(res, fs.createWriteStream(out, { highWaterMark: 4 * 1024 * 1024 }));
  else await new Promise((resolve) => res.on('end', resolve));
  if (out) fs.rmSync(out);
  process.stdout.write(JSON.stringify({ bytes: n, ms: performance.now() - started }));
});
`;

function rawRead(url: string, target?: string): Promise<{ bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', RAW_READER, url, ...(target ? [target] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`raw reader exited ${code}`))));
  });
}

/**
 * Download throughput of StableQueue (headless child process: resolve the signed link,
 * stream into the .part, hash while writing, verify, rename, sidecars) against a raw
 * loopback read of the same 1 GiB from the same emulator (best of three each).
 */
export async function benchDownload(): Promise<BenchResult> {
  const emu = await startCivitaiEmulator();
  // The library goes on RAM-backed storage when there is one (STABLEQUEUE_BENCH_DIR to choose),
  // so the figure is StableQueue's overhead rather than the machine's disk.
  const base = process.env.STABLEQUEUE_BENCH_DIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
  const dir = fs.mkdtempSync(path.join(base, 'sq-bench-download-'));
  const tmp = { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
  const ckpt = path.join(tmp.dir, 'models', 'Stable-diffusion');
  fs.mkdirSync(ckpt, { recursive: true });
  const sq = await startHeadless({ STABLEQUEUE_DATA_DIR: path.join(tmp.dir, 'data'), CHECKPOINT_PATH: ckpt, CIVITAI_BASE_URL: emu.apiUrl });
  try {
    const model = await emu.addModel({ name: 'Bench', type: 'Checkpoint', versions: [{ name: 'v1', baseModel: 'SDXL 1.0', files: [{ name: 'bench.safetensors', size: SIZE }] }] });
    const version = model.versions[0];
    const file = version.files[0];

    let rawBest = Infinity;
    let rawToFileBest = Infinity;
    for (let i = 0; i < RUNS; i++) {
      for (const toFile of [false, true]) {
        const redirect = await fetch(`${emu.apiUrl}/api/download/models/${version.id}?fileId=${file.id}`, { redirect: 'manual', headers: { 'User-Agent': 'bench' } });
        const signed = redirect.headers.get('location')!;
        const { bytes, ms } = await rawRead(signed, toFile ? path.join(ckpt, 'raw.bin') : undefined);
        if (bytes !== SIZE) throw new Error(`raw read got ${bytes} bytes`);
        if (toFile) rawToFileBest = Math.min(rawToFileBest, ms);
        else rawBest = Math.min(rawBest, ms);
      }
    }

    // Completion is read from the SSE stream, so the measurement does not poll the engine it measures.
    const sse = new AbortController();
    const finished = new Map<string, { status: string; at: number; body: any }>();
    const waiters = new Map<string, () => void>();
    void (async () => {
      const res = await fetch(`${sq.url}/api/v1/events`, { signal: sse.signal });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!block.includes('event: download.updated')) continue;
          const data = JSON.parse(/^data: (.+)$/m.exec(block)![1]);
          if (['completed', 'failed'].includes(data.download.status)) {
            finished.set(data.download.id, { status: data.download.status, at: performance.now(), body: data.download });
            waiters.get(data.download.id)?.();
          }
        }
      }
    })().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));

    let sqBest = Infinity;
    let verified = 'no';
    try {
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const queued = await api(sq.url, 'POST', '/api/v1/civitai/download-model', { version_id: version.id });
        if (queued.status !== 202) throw new Error(`download not queued: ${JSON.stringify(queued.body)}`);
        const id = queued.body.download.id as string;
        if (!finished.has(id)) await new Promise<void>((resolve) => waiters.set(id, resolve));
        const done = finished.get(id)!;
        if (done.status !== 'completed') throw new Error(`download failed: ${done.body.error_message}`);
        sqBest = Math.min(sqBest, done.at - started);
        const model = await api(sq.url, 'GET', `/api/v1/models/${done.body.library_model_id}`);
        verified = model.body.sha256 === file.hashes!.SHA256.toLowerCase() ? 'yes' : 'NO';
        // Let the library finish hashing (AutoV3), then remove the file so the next run downloads again.
        await waitFor(async () => {
          const scan = (await api(sq.url, 'GET', '/api/v1/models/scan')).body;
          return scan.hashing.queued === 0 && scan.hashing.current === null;
        }, { timeoutMs: 60_000, intervalMs: 100, what: 'hashing to finish' });
        for (const name of fs.readdirSync(ckpt)) fs.rmSync(path.join(ckpt, name), { force: true });
        await api(sq.url, 'POST', '/api/v1/models/scan', { wait: true });
      }
    } finally {
      sse.abort();
    }

    const mbps = (ms: number) => round(SIZE / 1024 / 1024 / (ms / 1000), 0);
    const ratio = rawBest / sqBest;
    return {
      name: 'Download: StableQueue vs raw loopback read (1 GiB from the Civitai emulator, best of 3)',
      figures: {
        'library folder': base,
        'raw loopback read MB/s': mbps(rawBest),
        'raw read into a file MB/s': mbps(rawToFileBest),
        'StableQueue download MB/s': mbps(sqBest),
        'throughput ratio (target >= 0.80)': round(ratio, 2),
        'meets target': ratio >= 0.8 ? 'yes' : 'NO',
        'ratio to raw read into a file': round(rawToFileBest / sqBest, 2),
        'SHA256 verified': verified,
        'includes': 'link resolve, .part write, hash-while-writing, verify, rename, sidecars, library row',
      },
    };
  } finally {
    await sq.terminate();
    await emu.close();
    tmp.cleanup();
  }
}
