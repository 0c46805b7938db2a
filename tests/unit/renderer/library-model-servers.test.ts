import { describe, expect, it } from 'vitest';
import { serversOffering } from '../../../renderer/src/lib/library-model-servers.ts';

describe('serversOffering', () => {
  const lists = {
    forge1: [{ name: 'sdxl/juggernautXL_v9.safetensors [abc12345]', title: 'sdxl/juggernautXL_v9.safetensors [abc12345]' }],
    forge2: [{ name: 'dreamshaper_8', title: 'dreamshaper_8.safetensors' }],
    down: [],
  };
  it('matches by name whatever the folder, extension or hash', () => {
    expect(serversOffering('juggernautXL_v9.safetensors', lists)).toEqual(['forge1']);
    expect(serversOffering('DreamShaper_8.safetensors', lists)).toEqual(['forge2']);
  });
  it('is empty for a file no server lists', () => {
    expect(serversOffering('ponyDiffusionV6.safetensors', lists)).toEqual([]);
    expect(serversOffering('juggernautXL_v10.safetensors', lists)).toEqual([]);
  });
});
