import { describe, expect, it } from 'vitest';
import { compatibilityWarnings } from '../../../shared/base-model-compatibility.ts';

describe('base-model compatibility', () => {
  it('warns for an SD1.5 LoRA on SDXL and an SDXL LoRA on Flux, naming both sides', () => {
    const sdxl = compatibilityWarnings({ name: 'juggernautXL', base_model: 'SDXL' }, [
      { kind: 'lora', name: 'add_detail', base_model: 'SD1' },
      { kind: 'lora', name: 'pony_style', base_model: 'Pony' },
      { kind: 'vae', name: 'sdxl_vae', base_model: 'SDXL' },
      { kind: 'lora', name: 'mystery', base_model: 'Unknown' },
    ]);
    expect(sdxl.map((w) => w.name)).toEqual(['add_detail']);
    expect(sdxl[0].message).toBe('LoRA "add_detail" is made for SD1, but the checkpoint "juggernautXL" is SDXL: it will not load or will have no effect.');
    expect(compatibilityWarnings({ name: 'flux1-dev', base_model: 'Flux' }, [{ kind: 'lora', name: 'xl_lora', base_model: 'Illustrious' }]).map((w) => w.checkpoint_base_model)).toEqual(['Flux']);
  });

  it('stays quiet when the checkpoint\'s base model is unknown', () => {
    expect(compatibilityWarnings({ name: 'x', base_model: 'Unknown' }, [{ kind: 'lora', name: 'a', base_model: 'SD1' }])).toEqual([]);
  });
});
