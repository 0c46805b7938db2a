import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CivitaiVersion } from '../../../electron/engine/civitai/civitai-types.ts';
import { readCivitaiInfo, serializeCivitaiInfo, writeCivitaiInfo } from '../../../electron/engine/models/sidecars/civitai-info.ts';
import { choosePreviewImage, writePreviewIfMissing } from '../../../electron/engine/models/sidecars/preview.ts';
import { parsePyJson } from '../../../electron/engine/models/sidecars/python-json.ts';
import { findPreviewName } from '../../../electron/engine/models/sidecars/sidecar-paths.ts';
import { mergeUserMetadata, readUserMetadata, serializeUserMetadata, updateUserMetadata, type UserMetadata } from '../../../electron/engine/models/sidecars/user-metadata.ts';
import { userMetadataFill } from '../../../electron/engine/models/sidecars/write-sidecars.ts';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-sidecar-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

// The expected files were written by Python's json module exactly as the tools do
// (see the generator notes in fixtures/README.md).
describe('.civitai.info (Civitai Helper: json.dumps(info, indent=4))', () => {
  it('is byte for byte what Civitai Helper writes for the same API answer', async () => {
    const text = fixture('civitai-version.json');
    expect(serializeCivitaiInfo(parsePyJson(text) as never)).toBe(fixture('expected.civitai.info'));
    const file = path.join(dir, 'sd_xl.civitai.info');
    expect(await writeCivitaiInfo(file, text)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(fixture('expected.civitai.info'));
  });

  it('keeps floats as floats, big ints exact and escapes non-ASCII', () => {
    const out = serializeCivitaiInfo(parsePyJson('{"a":2.0,"b":1e-7,"c":12345678901234567890,"d":"é✓😀","e":[],"f":{}}') as never);
    expect(out).toBe('{\n    "a": 2.0,\n    "b": 1e-07,\n    "c": 12345678901234567890,\n    "d": "\\u00e9\\u2713\\ud83d\\ude00",\n    "e": [],\n    "f": {}\n}');
  });

  it('leaves another tool\'s file alone, replaces Civitai Helper\'s "{}" marker', async () => {
    const file = path.join(dir, 'm.civitai.info');
    fs.writeFileSync(file, '{"id": 1, "mine": true}');
    expect(await writeCivitaiInfo(file, '{"id":2}')).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"id": 1, "mine": true}');
    fs.writeFileSync(file, '{}');
    expect(await readCivitaiInfo(file)).toBeNull();
    expect(await writeCivitaiInfo(file, '{"id":2}')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('{\n    "id": 2\n}');
  });
});

describe('<base>.json (A1111/Forge: json.dump(metadata, indent=4, ensure_ascii=False))', () => {
  const version = JSON.parse(fixture('civitai-version.json')) as CivitaiVersion;
  const sha = 'e6bb9ea85bbf7bf6478a7c6d18b71246f22e95d41bcdd80ed40aa212c33cfeff';

  it('round-trips a file Forge wrote, byte for byte', async () => {
    const file = path.join(dir, 'lora.json');
    fs.writeFileSync(file, fixture('user-lora.json'));
    const read = await readUserMetadata(file);
    expect(read.state).toBe('ok');
    expect(serializeUserMetadata((read as { data: UserMetadata }).data)).toBe(fixture('user-lora.json'));
  });

  it('fills only what the user left unset and matches the Python output', async () => {
    const file = path.join(dir, 'lora.json');
    fs.writeFileSync(file, fixture('user-lora.json'));
    expect(await updateUserMetadata(file, userMetadataFill('lora', version, sha))).toBe('updated');
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toBe(fixture('expected-merged-lora.json'));
    const data = JSON.parse(written);
    expect(data.description).toBe('Mine — keep');
    expect(data['preferred weight']).toBe(0.8);
    expect(written).toContain('"preferred weight": 0.8,');
    expect(data.notes).toBe('ノート ✓\nline 2');
    // A second pass changes nothing.
    expect(await updateUserMetadata(file, userMetadataFill('lora', version, sha))).toBe('unchanged');
  });

  it('writes a new file with the keys Forge and civitai-browser-plus read', async () => {
    const file = path.join(dir, 'new.json');
    expect(await updateUserMetadata(file, userMetadataFill('lora', version, sha))).toBe('created');
    expect(fs.readFileSync(file, 'utf8')).toBe(fixture('expected-fresh-lora.json'));
  });

  it('never touches a file that is not valid JSON', async () => {
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{"description": "half');
    expect(await updateUserMetadata(file, { description: 'x' })).toBe('invalid');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"description": "half');
  });

  it('merge keeps user values and key order', () => {
    const { merged, changed } = mergeUserMetadata({ notes: 'n', 'sd version': 'SD1', description: '' }, { description: 'd', 'sd version': 'SDXL', modelId: 1 });
    expect(Object.keys(merged)).toEqual(['notes', 'sd version', 'description', 'modelId']);
    expect(merged['sd version']).toBe('SD1');
    expect(merged.description).toBe('d');
    expect(changed).toBe(true);
  });

  it('checkpoints get no LoRA keys; embeddings no sd version', () => {
    expect(Object.keys(userMetadataFill('checkpoint', version, sha))).toEqual(['description', 'modelId', 'modelVersionId', 'sha256']);
  });
});

describe('previews: exactly one <base>.preview.png', () => {
  it('picks the first still image within the NSFW limit at 450 px', () => {
    const images = [
      { url: 'https://image.civitai.com/a/b/original=true/1.mp4', type: 'video', nsfwLevel: 1 },
      { url: 'https://image.civitai.com/a/b/original=true/2.jpeg', type: 'image', nsfwLevel: 8 },
      { url: 'https://image.civitai.com/a/b/original=true/3.jpeg', type: 'image', nsfwLevel: 2 },
    ];
    expect(choosePreviewImage(images, 2)?.url).toBe('https://image.civitai.com/a/b/width=450/3.jpeg');
    expect(choosePreviewImage(images, 1)).toBeNull();
  });

  it('converts JPEG to real PNG data and writes nothing when a preview exists', async () => {
    const model = path.join(dir, 'model.safetensors');
    fs.writeFileSync(model, 'x');
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } }).jpeg().toBuffer();
    expect(await writePreviewIfMissing(model, async () => jpeg)).toBe('model.preview.png');
    const png = fs.readFileSync(path.join(dir, 'model.preview.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect((await sharp(png).metadata()).format).toBe('png');
    let fetched = false;
    expect(await writePreviewIfMissing(model, async () => { fetched = true; return jpeg; })).toBeNull();
    expect(fetched).toBe(false);

    const other = path.join(dir, 'other.ckpt');
    fs.writeFileSync(other, 'x');
    fs.writeFileSync(path.join(dir, 'other.jpg'), jpeg);
    expect(await writePreviewIfMissing(other, async () => jpeg)).toBeNull();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('other.')).sort()).toEqual(['other.ckpt', 'other.jpg']);
  });

  it('finds previews the way A1111 find_preview does', () => {
    const files = new Set(['a.safetensors', 'a.preview.webp', 'b.ckpt', 'b.png', 'c.pt']);
    expect(findPreviewName('a.safetensors', files)).toBe('a.preview.webp');
    expect(findPreviewName('b.ckpt', files)).toBe('b.png');
    expect(findPreviewName('c.pt', files)).toBeNull();
  });
});
