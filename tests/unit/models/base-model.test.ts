import { describe, expect, it } from 'vitest';
import { detectBaseModel, familyFromName, familyFromTensors } from '../../../electron/engine/models/base-model/detect.ts';
import { familyFromCivitai, sdVersionFor } from '../../../shared/base-model-families.ts';
import type { TensorInfo } from '../../../electron/engine/models/safetensors/header.ts';

const tensors = (entries: [string, number[]][]) => new Map<string, TensorInfo>(entries.map(([n, shape]) => [n, { dtype: 'F16', shape, offsets: [0, 0] }]));

describe('base model detection', () => {
  it('maps Civitai baseModel strings', () => {
    expect(familyFromCivitai('SD 1.5')).toBe('SD1');
    expect(familyFromCivitai('SD 2.1 768')).toBe('SD2');
    expect(familyFromCivitai('SDXL 1.0')).toBe('SDXL');
    expect(familyFromCivitai('SDXL Lightning')).toBe('SDXL');
    expect(familyFromCivitai('Pony')).toBe('Pony');
    expect(familyFromCivitai('Illustrious')).toBe('Illustrious');
    expect(familyFromCivitai('NoobAI')).toBe('NoobAI');
    expect(familyFromCivitai('Flux.1 D')).toBe('Flux');
    expect(familyFromCivitai('SD 3.5 Large')).toBe('SD3.5');
    expect(familyFromCivitai('SD 3')).toBe('SD3');
    expect(familyFromCivitai('Hunyuan 1')).toBe('Other');
  });

  it('maps families to the A1111/Forge "sd version" members', () => {
    expect(sdVersionFor('Pony')).toBe('SDXL');
    expect(sdVersionFor('Illustrious')).toBe('SDXL');
    expect(sdVersionFor('Flux')).toBe('Flux');
    expect(sdVersionFor('SD1')).toBe('SD1');
    expect(sdVersionFor('Other')).toBe('Unknown');
  });

  it('prefers Civitai, then modelspec, then kohya metadata, tensors, names', () => {
    expect(detectBaseModel({ kind: 'lora', fileName: 'x_xl.safetensors', civitaiBaseModel: 'SD 1.5' })).toMatchObject({ family: 'SD1', source: 'civitai', label: 'SD 1.5' });
    expect(detectBaseModel({ kind: 'lora', fileName: 'x.safetensors', metadata: { 'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora' } })).toMatchObject({ family: 'SDXL', source: 'modelspec' });
    expect(detectBaseModel({ kind: 'lora', fileName: 'x.safetensors', metadata: { 'modelspec.architecture': 'flux-1-dev/lora' } })).toMatchObject({ family: 'Flux' });
    expect(detectBaseModel({ kind: 'lora', fileName: 'x.safetensors', metadata: { ss_base_model_version: 'sdxl_base_v1-0', ss_sd_model_name: 'ponyDiffusionV6XL_v6.safetensors' } })).toMatchObject({ family: 'Pony', source: 'kohya' });
    expect(detectBaseModel({ kind: 'lora', fileName: 'x.safetensors', metadata: { ss_base_model_version: 'sdxl_base_v1-0', ss_sd_model_name: 'Illustrious-XL-v0.1.safetensors' } })).toMatchObject({ family: 'Illustrious' });
    expect(detectBaseModel({ kind: 'lora', fileName: 'x.safetensors', metadata: { ss_v2: 'False', ss_network_module: 'networks.lora' } })).toMatchObject({ family: 'SD1', source: 'kohya' });
    expect(detectBaseModel({ kind: 'checkpoint', fileName: 'mystery.safetensors' })).toMatchObject({ family: 'Unknown', source: null });
    expect(detectBaseModel({ kind: 'checkpoint', fileName: 'cyberrealisticPony_v8.safetensors' })).toMatchObject({ family: 'Pony', source: 'name' });
    expect(detectBaseModel({ kind: 'checkpoint', fileName: 'flux1-dev-fp8.safetensors' })).toMatchObject({ family: 'Flux', source: 'name' });
  });

  it('reads architectures from tensor names and shapes', () => {
    expect(familyFromTensors('checkpoint', tensors([['conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_weight', [3840, 1280]]]))).toBe('SDXL');
    expect(familyFromTensors('checkpoint', tensors([['cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight', [3072, 768]]]))).toBe('SD1');
    expect(familyFromTensors('checkpoint', tensors([['cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight', [3072, 1024]]]))).toBe('SD2');
    expect(familyFromTensors('checkpoint', tensors([['model.diffusion_model.double_blocks.0.img_attn.proj.weight', [3072, 3072]]]))).toBe('Flux');
    expect(familyFromTensors('checkpoint', tensors([['model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight', [4608, 1536]]]))).toBe('SD3');
    expect(familyFromTensors('lora', tensors([['lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', [8, 768]]]))).toBe('SD1');
    expect(familyFromTensors('lora', tensors([['lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', [8, 1024]]]))).toBe('SD2');
    expect(familyFromTensors('lora', tensors([['lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight', [8, 1280]]]))).toBe('SDXL');
    expect(familyFromTensors('lora', tensors([['lora_unet_double_blocks_0_img_attn_proj.lora_down.weight', [16, 3072]]]))).toBe('Flux');
    expect(familyFromTensors('lora', tensors([['transformer.single_transformer_blocks.0.attn.to_k.lora_A.weight', [16, 3072]]]))).toBe('Flux');
    expect(familyFromTensors('embedding', tensors([['clip_l', [4, 768]], ['clip_g', [4, 1280]]]))).toBe('SDXL');
    expect(familyFromTensors('embedding', tensors([['emb_params', [4, 768]]]))).toBe('SD1');
    expect(familyFromTensors('vae', tensors([['decoder.conv_in.weight', [512, 16, 3, 3]]]))).toBe('Flux');
  });

  it('reads name hints', () => {
    expect(familyFromName('noobaiXLNAIXL_vPred10')).toBe('NoobAI');
    expect(familyFromName('waiNSFWIllustrious_v140')).toBe('Illustrious');
    expect(familyFromName('juggernautXL_v9')).toBe('SDXL');
    expect(familyFromName('v1-5-pruned-emaonly')).toBe('SD1');
    expect(familyFromName('sd3.5_large')).toBe('SD3.5');
    expect(familyFromName('dreamshaper_8')).toBeNull();
  });
});
