import { describe, expect, it } from 'vitest';
import { buildForgePayload, normalizeSeed, promptWithLoras } from '../../../electron/engine/backends/forge/payload.ts';

describe('buildForgePayload', () => {
  it('maps the seed fields and passes every unknown A1111 field through untouched', () => {
    const alwayson = {
      ControlNet: { args: [{ enabled: true, module: 'canny', model: 'control_v11p_sd15_canny', weight: 0.8, image: 'iVBOR…' }] },
      ADetailer: { args: [true, false, { ad_model: 'face_yolov8n.pt', ad_denoising_strength: 0.4 }] },
    };
    const payload = buildForgePayload({
      positive_prompt: 'a cat', negative_prompt: 'blurry', checkpoint_name: 'Pony/x.safetensors', seed: '',
      loras: [{ name: 'styles/inkpunk.safetensors', weight: 0.7 }], enable_hr: true, hr_scale: 1.5,
      alwayson_scripts: alwayson, override_settings: { CLIP_stop_at_last_layers: 2 }, vae: 'ae.safetensors',
    }, { checkpointTitle: 'Pony\\x.safetensors [0123456789]', isForge: true });
    expect(payload.prompt).toBe('a cat <lora:inkpunk:0.7>');
    expect(payload.seed).toBe(-1);
    expect(payload.alwayson_scripts).toEqual(alwayson);
    expect(payload.enable_hr).toBe(true);
    expect(payload.hr_scale).toBe(1.5);
    expect(payload.override_settings).toEqual({
      CLIP_stop_at_last_layers: 2, sd_model_checkpoint: 'Pony\\x.safetensors [0123456789]', forge_additional_modules: ['ae.safetensors'],
    });
    expect(payload.send_images).toBe(true);
    expect(payload.save_images).toBe(false);
    for (const own of ['positive_prompt', 'checkpoint_name', 'loras', 'vae']) expect(payload).not.toHaveProperty(own);
  });

  it('uses sd_vae on A1111 and keeps the loaded model when no checkpoint is named', () => {
    const payload = buildForgePayload({ positive_prompt: 'x', vae: 'vae-ft-mse.safetensors' }, { checkpointTitle: null, isForge: false });
    expect(payload.override_settings).toEqual({ sd_vae: 'vae-ft-mse.safetensors' });
  });

  it('does not add a LoRA tag the prompt already has', () => {
    expect(promptWithLoras('x <lora:inkpunk:0.5>', [{ name: 'inkpunk', weight: 0.7 }])).toBe('x <lora:inkpunk:0.5>');
  });

  it('normalises seeds', () => {
    expect([normalizeSeed(42), normalizeSeed('7'), normalizeSeed(''), normalizeSeed(null), normalizeSeed(-5), normalizeSeed('abc')]).toEqual([42, 7, -1, -1, -1, -1]);
  });
});

describe('dropUnknownOverrides', () => {
  it('drops override keys the server does not list and keeps the rest', async () => {
    const { dropUnknownOverrides } = await import('../../../electron/engine/backends/forge/payload.ts');
    const payload = { override_settings: { sd_model_checkpoint: 'x', forge_unet_storage_dtype: 'bnb-nf4', CLIP_stop_at_last_layers: 2 } };
    expect(dropUnknownOverrides(payload, new Set(['sd_model_checkpoint', 'CLIP_stop_at_last_layers']))).toEqual(['forge_unet_storage_dtype']);
    expect(payload.override_settings).toEqual({ sd_model_checkpoint: 'x', CLIP_stop_at_last_layers: 2 });
    expect(dropUnknownOverrides(payload, null)).toEqual([]);
  });
});
