import { describe, expect, it } from 'vitest';
import { resolveCheckpoint } from '../../../electron/engine/backends/checkpoint-resolver.ts';

const models = [
  { title: 'Pony\\cyberrealisticPony_v8.safetensors [0123456789]', hash: '0123456789', sha256: '0123456789' + 'a'.repeat(54) },
  { title: 'sdxl/juggernautXL_v9.safetensors [abcdefabcd]', hash: 'abcdefabcd', sha256: null },
  { title: 'v1-5-pruned-emaonly.safetensors', hash: null, sha256: null },
];

describe('resolveCheckpoint: a client checkpoint path matched to the server title', () => {
  it('matches the exact title', () => {
    expect(resolveCheckpoint(models[1].title, models)).toEqual({ title: models[1].title, match: 'exact' });
  });
  it('matches a path with the other slash, without the hash suffix', () => {
    expect(resolveCheckpoint('Pony/cyberrealisticPony_v8.safetensors', models)?.title).toBe(models[0].title);
    expect(resolveCheckpoint('sdxl\\juggernautXL_v9.safetensors', models)?.match).toBe('path');
  });
  it('matches by short hash, full sha256 and [hash] suffix', () => {
    expect(resolveCheckpoint('abcdefabcd', models)?.title).toBe(models[1].title);
    expect(resolveCheckpoint('0123456789' + 'a'.repeat(54), models)?.match).toBe('hash');
    expect(resolveCheckpoint('renamed.safetensors [0123456789]', models)?.title).toBe(models[0].title);
  });
  it('matches by base name, then fuzzily, but not a distant name', () => {
    expect(resolveCheckpoint('juggernautXL_v9', models)?.match).toBe('basename');
    expect(resolveCheckpoint('juggernautXL_v8.safetensors', models)).toEqual({ title: models[1].title, match: 'fuzzy' });
    expect(resolveCheckpoint('dreamshaper_8.safetensors', models)).toBeNull();
  });
});
