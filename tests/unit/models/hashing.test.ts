import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashPool } from '../../../electron/engine/models/hashing/hash-pool.ts';
import { parseSafetensorsHeader, readSafetensorsHeader } from '../../../electron/engine/models/safetensors/header.ts';
import { GeneratedFile } from '../../emulators/civitai/generated-file.ts';

let dir: string;
const pool = new HashPool(2);
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-hash-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
afterAll(() => pool.close());

function writeGenerated(name: string, size: number, seed: number, metadata?: Record<string, string>): { file: string; gen: GeneratedFile } {
  const gen = new GeneratedFile({ size, seed, format: 'safetensors', metadata, tensorNames: ['a.weight', 'b.weight'] });
  const file = path.join(dir, name);
  fs.writeFileSync(file, gen.read(0, size));
  return { file, gen };
}

describe('hashing (worker threads)', () => {
  it('computes SHA256 (AutoV2 = first 10 hex) and AutoV3 (tensor data after the header)', async () => {
    const { file, gen } = writeGenerated('m.safetensors', 3 * 1024 * 1024 + 123, 7, { 'modelspec.architecture': 'stable-diffusion-v1/lora' });
    expect((await gen.hashes()).autoV1).toMatch(/^[0-9a-f]{8}$/);
    const bytes = fs.readFileSync(file);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const n = Number(bytes.readBigUInt64LE(0));
    const v3 = createHash('sha256').update(bytes.subarray(8 + n)).digest('hex');
    const progress: number[] = [];
    expect(await pool.hash(file, 'sha256', (b) => progress.push(b))).toBe(sha);
    expect(await pool.hash(file, 'autov3')).toBe(v3);
    const expected = await gen.hashes();
    expect(expected.sha256).toBe(sha);
    expect(expected.tensorSha256).toBe(v3);
    // Editing the metadata (a new header, same tensor bytes) changes SHA256 but not AutoV3.
    const json = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    json.__metadata__['modelspec.title'] = 'renamed';
    const headerJson = Buffer.from(JSON.stringify(json));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(headerJson.length));
    const edited = path.join(dir, 'e.safetensors');
    fs.writeFileSync(edited, Buffer.concat([length, headerJson, bytes.subarray(8 + n)]));
    expect(await pool.hash(edited, 'sha256')).not.toBe(sha);
    expect(await pool.hash(edited, 'autov3')).toBe(v3);
  });

  it('hashes a file while it is written (follow), the way a download is verified', async () => {
    const file = path.join(dir, 'grow.part');
    fs.writeFileSync(file, Buffer.alloc(0));
    const follower = pool.follow(file);
    const whole = createHash('sha256');
    let size = 0;
    for (let i = 0; i < 20; i++) {
      const chunk = Buffer.alloc(300_000 + i, i);
      fs.appendFileSync(file, chunk);
      whole.update(chunk);
      size += chunk.length;
      follower.grow(size);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(await follower.end(size)).toBe(whole.digest('hex'));
  });

  it('fails AutoV3 for a file that is not safetensors', async () => {
    const file = path.join(dir, 'x.safetensors');
    fs.writeFileSync(file, '{"error":"Unauthorized"}');
    await expect(pool.hash(file, 'autov3')).rejects.toThrow(/header/);
  });
});

describe('safetensors header', () => {
  it('reads metadata and tensors of a generated file', async () => {
    const { file } = writeGenerated('m.safetensors', 10_000, 1, { ss_base_model_version: 'sdxl_base_v1-0' });
    const header = await readSafetensorsHeader(file);
    expect(header?.metadata.ss_base_model_version).toBe('sdxl_base_v1-0');
    expect([...header!.tensors.keys()]).toEqual(['a.weight', 'b.weight']);
  });

  it('rejects error bodies and truncated headers', async () => {
    expect(() => parseSafetensorsHeader(Buffer.from('{"error":"Unauthorized","message":"login"}'), 40)).toThrow();
    expect(() => parseSafetensorsHeader(Buffer.from('<!DOCTYPE html><html></html>'), 28)).toThrow();
    const file = path.join(dir, 'bad.safetensors');
    fs.writeFileSync(file, '<html>nope</html>');
    expect(await readSafetensorsHeader(file)).toBeNull();
  });
});
