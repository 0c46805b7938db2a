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
      sd_vae: 'Automatic', eta_noise_seed_delta: 0, randn_source: 'GPU', forge_unet_storage_dtype: 'Automatic',
    });
    expect(payload.hr_additional_modules).toEqual(['Use same choices']);
    expect(payload.send_images).toBe(true);
    expect(payload.save_images).toBe(false);
    for (const own of ['positive_prompt', 'checkpoint_name', 'loras', 'vae']) expect(payload).not.toHaveProperty(own);
  });

  it('uses sd_vae on A1111 and keeps the loaded model when no checkpoint is named', () => {
    const payload = buildForgePayload({ positive_prompt: 'x', vae: 'vae-ft-mse.safetensors' }, { checkpointTitle: null, isForge: false });
    expect(payload.override_settings).toEqual({ sd_vae: 'vae-ft-mse.safetensors', CLIP_stop_at_last_layers: 1, eta_noise_seed_delta: 0, randn_source: 'GPU' });
  });

  it('states every picture-affecting option, defaults included, so nothing carries over from the previous job', () => {
    const forge = buildForgePayload({ positive_prompt: 'x' }, { checkpointTitle: null, isForge: true, taskId: 'task(sq-1)' });
    expect(forge.override_settings).toEqual({
      CLIP_stop_at_last_layers: 1, sd_vae: 'Automatic', eta_noise_seed_delta: 0, randn_source: 'GPU',
      forge_additional_modules: [], forge_unet_storage_dtype: 'Automatic',
    });
    // Forge selects models lazily: restoring its own options after the job is free
    expect(forge.override_settings_restore_afterwards).toBe(true);
    expect(buildForgePayload({ positive_prompt: 'x' }, { checkpointTitle: null, isForge: false }).override_settings_restore_afterwards).toBe(false);
    expect(forge.force_task_id).toBe('task(sq-1)');
  });

  it('merges a chosen VAE into the job\'s Forge module list instead of replacing its text encoders', () => {
    const payload = buildForgePayload({
      positive_prompt: 'flux', vae: 'ae.safetensors',
      override_settings: { forge_additional_modules: ['clip_l.safetensors', 't5xxl_fp16.safetensors', 'ae.safetensors'] },
    }, { checkpointTitle: null, isForge: true });
    expect((payload.override_settings as any).forge_additional_modules).toEqual(['clip_l.safetensors', 't5xxl_fp16.safetensors', 'ae.safetensors']);
  });

  it('gives Forge hires fix "Use same choices" unless the job chose modules; never an empty list; A1111 untouched', () => {
    const hr = (extra: Record<string, unknown>, isForge = true) =>
      buildForgePayload({ positive_prompt: 'x', enable_hr: true, ...extra }, { checkpointTitle: null, isForge }).hr_additional_modules;
    expect(hr({})).toEqual(['Use same choices']);
    expect(hr({ hr_additional_modules: [] })).toEqual(['Use same choices']);
    expect(hr({ hr_additional_modules: ['ae.safetensors'] })).toEqual(['ae.safetensors']);
    expect(hr({}, false)).toBeUndefined();
    expect(buildForgePayload({ positive_prompt: 'x' }, { checkpointTitle: null, isForge: true }).hr_additional_modules).toBeUndefined();
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
