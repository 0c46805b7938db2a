import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkpointKey } from '../../../electron/engine/gallery/checkpoint-name.ts';
import { ftsQuery } from '../../../electron/engine/gallery/fts-query.ts';
import { readA1111Infotext } from '../../../electron/engine/gallery/metadata/a1111-infotext.ts';
import { readExifText } from '../../../electron/engine/gallery/metadata/exif-user-comment.ts';
import { parseImageHeader } from '../../../electron/engine/gallery/metadata/image-header.ts';
import { readMetadata } from '../../../electron/engine/gallery/metadata/read-metadata.ts';
import { forgeInfotext } from '../../helpers/gallery-fixtures.ts';

const headerOf = (data: Buffer) => parseImageHeader(data.subarray(0, 64), data.length, (pos, len) => data.subarray(pos, pos + len));

/** A little-endian TIFF block with UserComment in the given character code (as exiftool writes it on Intel order). */
function littleEndianExif(text: string, code: 'UNICODE' | 'ASCII'): Buffer {
  const body = code === 'UNICODE' ? Buffer.from(text, 'utf16le') : Buffer.from(text, 'latin1');
  const comment = Buffer.concat([Buffer.from(code.padEnd(8, '\0'), 'latin1'), body]);
  const tiff = Buffer.alloc(8 + 18 + 18 + comment.length);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x8769, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt16LE(1, 26);
  tiff.writeUInt16LE(0x9286, 28);
  tiff.writeUInt16LE(7, 30);
  tiff.writeUInt32LE(comment.length, 32);
  tiff.writeUInt32LE(44, 36);
  comment.copy(tiff, 44);
  return tiff;
}

describe('gallery metadata readers', () => {
  it('turns search text into a safe FTS5 query: words, phrases, prefixes; syntax is matched as words', () => {
    expect(ftsQuery('castle hill')).toBe('"castle" AND "hill"');
    expect(ftsQuery('"red car" neon*')).toBe('"red car" AND "neon"*');
    expect(ftsQuery('a"b NEAR(x')).toBe('"ab" AND "NEAR(x"');
    expect(ftsQuery('*** "" ()')).toBeNull();
  });

  it('gives one checkpoint name however it was written', () => {
    for (const name of ['juggernautXL_v9', 'juggernautXL_v9.safetensors', 'SDXL/juggernautXL_v9.safetensors', 'juggernautXL_v9.safetensors [a1b2c3d4e5]', 'C:\\models\\juggernautXL_v9.ckpt']) {
      expect(checkpointKey(name), name).toBe('juggernautXL_v9');
    }
    expect(checkpointKey('')).toBeNull();
  });

  it('reads A1111 infotext: prompt LoRAs with weights, Lora hashes, sampler, scheduler and the settings line', () => {
    const meta = readA1111Infotext(forgeInfotext({
      prompt: 'girl, <lora:add_detail:0.6>, <lyco:styleX:1.1>', negative: 'bad hands', seed: 5, model: 'ponyXL', loraHashes: { add_detail: 'aa', hidden: 'bb' },
    }));
    expect(meta).toMatchObject({ positive_prompt: 'girl, <lora:add_detail:0.6>, <lyco:styleX:1.1>', negative_prompt: 'bad hands', seed: 5, checkpoint: 'ponyXL', sampler: 'DPM++ 2M', scheduler: 'Karras', steps: 20, cfg_scale: 7 });
    expect(meta.loras).toEqual([{ name: 'add_detail', weight: 0.6 }, { name: 'styleX', weight: 1.1 }, { name: 'hidden', weight: 1 }]);
  });

  it('reads SwarmUI JSON where A1111 writes infotext', () => {
    const meta = readMetadata({
      parameters: JSON.stringify({
        sui_image_params: { prompt: 'a fox', negativeprompt: 'blur', model: 'flux1-dev', seed: 42, steps: 28, cfgscale: 1, sampler: 'euler', scheduler: 'simple', width: 1024, height: 1024, loras: ['fluffy'], loraweights: ['0.9'] },
        sui_models: [{ name: 'flux1-dev.safetensors', param: 'model', hash: '0xabc' }],
      }),
    }, { width: null, height: null });
    expect(meta).toMatchObject({ tool: 'swarmui', positive_prompt: 'a fox', negative_prompt: 'blur', checkpoint: 'flux1-dev', checkpoint_hash: '0xabc', seed: 42, width: 1024, loras: [{ name: 'fluffy', weight: 0.9 }] });
  });

  it('decodes EXIF UserComment in either byte order and either character code', () => {
    expect(readExifText(littleEndianExif('Steps: 20, Seed: 9', 'UNICODE')).userComment).toBe('Steps: 20, Seed: 9');
    expect(readExifText(littleEndianExif('café prompt', 'ASCII')).userComment).toBe('café prompt');
    expect(readExifText(Buffer.from('garbage')).userComment).toBeNull();
  });

  it('reads a WebP\'s size from its header and its infotext from the EXIF chunk after the pixels', async () => {
    const webp = await sharp({ create: { width: 40, height: 24, channels: 3, background: '#336699' } }).webp().toBuffer();
    // VP8X with the EXIF flag, the image, then the EXIF chunk at the end, as WebP writers place it.
    const exif = littleEndianExif(forgeInfotext({ prompt: 'webp lake', seed: 3, model: 'm1', width: 40, height: 24 }), 'UNICODE');
    const vp8x = Buffer.alloc(18);
    vp8x.write('VP8X', 0, 'latin1');
    vp8x.writeUInt32LE(10, 4);
    vp8x[8] = 0x08;
    vp8x.writeUIntLE(39, 12, 3);
    vp8x.writeUIntLE(23, 15, 3);
    const exifChunk = Buffer.concat([Buffer.from('EXIF', 'latin1'), Buffer.alloc(4), exif, Buffer.alloc(exif.length % 2)]);
    exifChunk.writeUInt32LE(exif.length, 4);
    const chunks = Buffer.concat([vp8x, webp.subarray(12), exifChunk]);
    const riff = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.alloc(4), Buffer.from('WEBP', 'latin1'), chunks]);
    riff.writeUInt32LE(riff.length - 8, 4);
    const header = headerOf(riff)!;
    expect(header).toMatchObject({ mime: 'image/webp', width: 40, height: 24 });
    expect(readMetadata(header.text, header)).toMatchObject({ positive_prompt: 'webp lake', seed: 3, checkpoint: 'm1' });
  });

  it('reads a plain WebP, a JPEG without metadata and refuses what is not an image', async () => {
    const webp = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#000' } }).webp({ lossless: true }).toBuffer();
    expect(headerOf(webp)).toMatchObject({ mime: 'image/webp', width: 30, height: 20, text: {} });
    const jpeg = await sharp({ create: { width: 31, height: 17, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    expect(headerOf(jpeg)).toMatchObject({ mime: 'image/jpeg', width: 31, height: 17, text: {} });
    expect(headerOf(Buffer.from('GIF89a not ours'))).toBeNull();
  });
});
