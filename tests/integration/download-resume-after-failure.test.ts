import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CivitaiClient } from '../../electron/engine/civitai/civitai-client.ts';
import { openDatabase, type Db } from '../../electron/engine/db/connection.ts';
import { EventBus } from '../../electron/engine/event-bus.ts';
import { silentLogger } from '../../electron/engine/logger.ts';
import { DownloadManager } from '../../electron/engine/models/downloads/download-manager.ts';
import { DownloadStore } from '../../electron/engine/models/downloads/download-store.ts';
import { resolveLibraryRoots } from '../../electron/engine/models/library/library-roots.ts';
import { ModelLibrary } from '../../electron/engine/models/library/model-library.ts';
import { startCivitaiEmulator, type CivitaiEmulator, type EmuModel } from '../emulators/civitai/index.ts';
import { waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const SIZE = 3_000_000;
const CUT = 1_200_000;
let emu: CivitaiEmulator;
let tmp: { dir: string; cleanup: () => void };
let db: Db;
let library: ModelLibrary;
let downloads: DownloadManager;
let model: EmuModel;
const finished: string[] = [];

beforeAll(async () => {
  emu = await startCivitaiEmulator();
  model = await emu.addModel({ name: 'Big LoRA', type: 'LORA', versions: [{ name: 'v1', baseModel: 'SD 1.5', files: [{ name: 'big_lora.safetensors', size: SIZE }] }] });
  tmp = makeTempDir('sq-dl-resume-');
  const loras = path.join(tmp.dir, 'Lora');
  fs.mkdirSync(loras, { recursive: true });
  db = openDatabase(path.join(tmp.dir, 'db', 'sq.db'));
  const clock = { now: () => Date.now() };
  const bus = new EventBus();
  library = new ModelLibrary({ db, clock, logger: silentLogger(), bus, roots: resolveLibraryRoots({ checkpointPath: null, loraPath: loras, vaePath: null, embeddingsPath: null }) });
  const client = new CivitaiClient({ baseUrl: emu.apiUrl, getToken: async () => null, userAgent: 'StableQueue-test/1' });
  downloads = new DownloadManager({
    store: new DownloadStore(db, clock), library, client, bus, logger: silentLogger(),
    sidecars: () => ({ userAgent: 'StableQueue-test/1', previewMaxNsfw: 2, logger: silentLogger() }),
    // Short backoff and few retries: the outage outlasts them, so the download fails.
    options: { concurrency: 1, userAgent: 'StableQueue-test/1', backoff: { baseMs: 20, maxMs: 40, retries: 1 }, maxRetries: 2, freeBytes: async () => null },
    hooks: { refreshServers: async () => {}, finished: (row, outcome) => { finished.push(`${row.id}:${outcome}`); } },
  });
  downloads.start();
});

afterAll(async () => {
  await downloads.stop();
  await library.stop();
  db.close();
  await emu.close();
  tmp.cleanup();
});

describe('a failed download keeps its .part', () => {
  it('killed mid-way and failed by the server, it resumes from the .part after the server recovers', async () => {
    const file = model.versions[0].files[0];
    emu.faults.stallAt = { fileId: file.id, offset: CUT };
    const { download } = await downloads.enqueue({ versionId: model.versions[0].id });
    await emu.waitForStall();
    // The storage goes down and the open transfer is cut: every retry now gets a 503.
    emu.faults.storageDown = true;
    emu.releaseStalls();
    const failed = await waitFor(() => {
      const d = downloads.get(download.id);
      return d?.status === 'failed' ? d : null;
    }, { what: 'download to fail', timeoutMs: 15_000 });
    expect(failed.error_message).toContain('503');
    expect(finished).toContain(`${download.id}:failed`);
    const part = path.join(tmp.dir, 'Lora', 'big_lora.safetensors.part');
    // What reached the disk before the cut stays (the writer keeps whole flushed blocks).
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(1_000_000);
    expect(kept).toBeLessThanOrEqual(CUT);
    expect(failed.bytes_done).toBe(kept);
    expect(emu.transfers.filter((t) => t.status === 503).length).toBeGreaterThanOrEqual(2);

    emu.faults.storageDown = false;
    downloads.resume(download.id);
    const done = await waitFor(() => {
      const d = downloads.get(download.id);
      return d?.status === 'completed' ? d : null;
    }, { what: 'download to complete', timeoutMs: 15_000 });
    expect(done.status).toBe('completed');
    const resumed = emu.transfers.filter((t) => t.fileId === file.id && t.status === 206);
    expect(resumed.map((t) => t.start)).toEqual([kept]);
    // Nothing before the kept bytes was sent twice.
    expect(emu.transfers.filter((t) => t.fileId === file.id).reduce((n, t) => n + t.bytesSent, 0)).toBe(SIZE + (CUT - kept));
    const bytes = fs.readFileSync(path.join(tmp.dir, 'Lora', 'big_lora.safetensors'));
    expect(crypto.createHash('sha256').update(bytes).digest('hex').toUpperCase()).toBe(file.hashes!.SHA256);
    expect(fs.existsSync(part)).toBe(false);
  });
});
