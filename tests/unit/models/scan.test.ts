import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../electron/engine/db/connection.ts';
import { EventBus } from '../../../electron/engine/event-bus.ts';
import { silentLogger } from '../../../electron/engine/logger.ts';
import { resolveLibraryRoots } from '../../../electron/engine/models/library/library-roots.ts';
import { ModelLibrary } from '../../../electron/engine/models/library/model-library.ts';
import { safetensorsHeader } from '../../emulators/civitai/generated-file.ts';

const FILES = 2000;

/** A small but valid safetensors file (header + bytes). */
function smallModel(seed: number, metadata?: Record<string, string>, tensorNames?: string[]): Buffer {
  const size = 1024 + (seed % 97);
  const header = safetensorsHeader({ size, seed, format: 'safetensors', metadata, tensorNames });
  const body = Buffer.alloc(size - header.length, seed % 251);
  return Buffer.concat([header, body]);
}

describe('library scan: 2,000 files, hash cache', () => {
  let root: string;
  let db: Db;
  let library: ModelLibrary;
  let ckpt: string;
  let lora: string;
  const events: string[] = [];

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-scan-'));
    // A1111 layout: models/Stable-diffusion, models/Lora (+ LyCORIS), models/VAE, ../embeddings.
    ckpt = path.join(root, 'webui', 'models', 'Stable-diffusion');
    lora = path.join(root, 'webui', 'models', 'Lora');
    for (const d of [ckpt, lora, path.join(root, 'webui', 'models', 'LyCORIS'), path.join(root, 'webui', 'models', 'VAE'), path.join(root, 'webui', 'embeddings')]) fs.mkdirSync(d, { recursive: true });
    for (let i = 0; i < FILES; i++) {
      const isLora = i % 2 === 1;
      const dir = path.join(isLora ? lora : ckpt, `group${i % 20}`, i % 3 === 0 ? 'deep' : '');
      fs.mkdirSync(dir, { recursive: true });
      const meta = isLora && i % 4 === 1 ? { ss_base_model_version: 'sdxl_base_v1-0', ss_sd_model_name: 'ponyDiffusionV6XL.safetensors' } : undefined;
      fs.writeFileSync(path.join(dir, `model_${i}.safetensors`), smallModel(i, meta));
      if (i % 10 === 0) fs.writeFileSync(path.join(dir, `model_${i}.preview.png`), 'png');
      if (i % 50 === 0) fs.writeFileSync(path.join(dir, `model_${i}.civitai.info`), JSON.stringify({ id: 5000 + i, modelId: 1000 + i, name: 'v1', baseModel: 'Illustrious', trainedWords: ['tag'], model: { name: `Model ${i}` } }));
    }
    fs.writeFileSync(path.join(ckpt, 'readme.txt'), 'not a model');
    fs.writeFileSync(path.join(ckpt, 'partial.safetensors.part'), 'downloading');
    db = openDatabase(':memory:');
    const bus = new EventBus();
    bus.on((e) => events.push(e.type));
    library = new ModelLibrary({
      db, clock: { now: () => Date.now() }, logger: silentLogger(), bus,
      roots: resolveLibraryRoots({ checkpointPath: ckpt, loraPath: null, vaePath: null, embeddingsPath: null }),
    });
  });

  afterAll(async () => {
    await library.stop();
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('finds the A1111 layout\'s folders from CHECKPOINT_PATH alone', () => {
    const kinds = library.roots.map((r) => `${r.kind}:${path.relative(root, r.path)}`);
    expect(kinds).toEqual([
      'checkpoint:webui/models/Stable-diffusion', 'lora:webui/models/Lora', 'lora:webui/models/LyCORIS',
      'vae:webui/models/VAE', 'embedding:webui/embeddings',
    ]);
  });

  it('indexes every model file once, with sidecars and base models', async () => {
    const first = await library.scan();
    expect(first.files).toBe(FILES);
    expect(first.inserted).toBe(FILES);
    const { rows, total, kinds, baseModels } = library.store.list({ limit: 5, offset: 0 });
    expect(total).toBe(FILES);
    expect(kinds).toEqual({ checkpoint: FILES / 2, lora: FILES / 2 });
    expect(baseModels.Pony).toBe(FILES / 4);
    expect(baseModels.Illustrious).toBe(FILES / 50);
    expect(rows).toHaveLength(5);
    const withInfo = library.store.byPath(path.join(ckpt, 'group0', 'deep', 'model_0.safetensors'))!;
    expect(withInfo).toMatchObject({ civitai_status: 'found', civitai_version_id: 5000, base_model: 'Illustrious', preview_file: 'model_0.preview.png' });
  });

  it('hashes in the background (SHA256 + AutoV3) without blocking', async () => {
    let maxLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    await library.hashes.idle();
    clearInterval(timer);
    const pending = library.store.needingHash();
    expect(pending).toHaveLength(0);
    const row = library.store.all()[0];
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.autov3).toMatch(/^[0-9a-f]{64}$/);
    expect(maxLag).toBeLessThan(200);
    expect(events).toContain('models.hashing');
  }, 120_000);

  it('rescans 2,000 unchanged files in under a second, touching nothing', async () => {
    const before = library.store.all().map((r) => `${r.id}:${r.sha256}:${r.updated_at}`).join('\n');
    const started = performance.now();
    const second = await library.scan();
    const elapsed = performance.now() - started;
    expect(second).toMatchObject({ files: FILES, inserted: 0, changed: 0, sidecars: 0, removed: 0 });
    expect(elapsed).toBeLessThan(1000);
    expect(library.store.all().map((r) => `${r.id}:${r.sha256}:${r.updated_at}`).join('\n')).toBe(before);
  });

  it('sees changed, removed and new files and new sidecars', async () => {
    const changed = path.join(ckpt, 'group2', 'model_2.safetensors');
    const oldSha = library.store.byPath(changed)!.sha256;
    fs.writeFileSync(changed, smallModel(99_999));
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(changed, future, future);
    fs.rmSync(path.join(lora, 'group1', 'model_1.safetensors'));
    fs.writeFileSync(path.join(lora, 'group3', 'deep', 'model_3.preview.jpg'), 'jpg');
    fs.writeFileSync(path.join(lora, 'new_one.safetensors'), smallModel(5));
    const result = await library.scan();
    expect(result).toMatchObject({ files: FILES, inserted: 1, changed: 1, removed: 1, sidecars: 1 });
    expect(library.store.byPath(changed)!.sha256).toBeNull();
    expect(library.store.byPath(path.join(lora, 'group3', 'deep', 'model_3.safetensors'))!.preview_file).toBe('model_3.preview.jpg');
    await library.hashes.idle();
    const rehashed = library.store.byPath(changed)!.sha256;
    expect(rehashed).toMatch(/^[0-9a-f]{64}$/);
    expect(rehashed).not.toBe(oldSha);
  }, 60_000);
});

describe('library roots', () => {
  it('finds the ComfyUI layout from models/checkpoints', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-roots-'));
    try {
      for (const d of ['checkpoints', 'loras', 'vae', 'embeddings']) fs.mkdirSync(path.join(root, 'models', d), { recursive: true });
      const roots = resolveLibraryRoots({ checkpointPath: path.join(root, 'models'), loraPath: null, vaePath: null, embeddingsPath: null });
      expect(roots.map((r) => `${r.kind}:${path.relative(root, r.path)}`)).toEqual([
        'checkpoint:models/checkpoints', 'lora:models/loras', 'vae:models/vae', 'embedding:models/embeddings',
      ]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
