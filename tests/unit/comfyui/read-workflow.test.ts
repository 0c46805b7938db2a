import { describe, expect, it } from 'vitest';
import { readWorkflow, type WorkflowReading } from '../../../electron/engine/backends/comfyui/graph/read-workflow.ts';
import type { ComfyGraph } from '../../../electron/engine/backends/comfyui/workflow.ts';
import * as fx from './fixtures/api-workflows.ts';

const cases: [string, ComfyGraph, Partial<WorkflowReading>][] = [
  ['ComfyUI default SD 1.5 graph', fx.sd15Default, {
    positive_prompt: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle,', negative_prompt: 'text, watermark',
    checkpoint: 'v1-5-pruned-emaonly.safetensors', unet: null, loras: [], vae: null, width: 512, height: 512, batch_size: 1,
    steps: 20, cfg: 8, sampler_name: 'euler', scheduler: 'normal', seed: 156680208700286, denoise: 1, init_image: null, sampler_node: '3',
  }],
  ['SDXL base + refiner: the base pass, the base checkpoint, both SDXL texts', fx.sdxlRefiner, {
    positive_prompt: 'a lighthouse on a cliff at dusk, volumetric light', negative_prompt: 'blurry, lowres\njpeg artifacts',
    checkpoint: 'sd_xl_base_1.0.safetensors', width: 1024, height: 1024, batch_size: 2, steps: 25, cfg: 8,
    sampler_name: 'euler', scheduler: 'normal', seed: 721897303308196, sampler_node: '10',
  }],
  ['Flux dev with UNETLoader, DualCLIPLoader, BasicGuider, RandomNoise and FluxGuidance', fx.fluxDevSplit, {
    positive_prompt: 'cute anime girl with massive fluffy fennec ears and a big fluffy tail', negative_prompt: null,
    checkpoint: null, unet: 'flux1-dev.safetensors', clip: ['t5xxl_fp16.safetensors', 'clip_l.safetensors'], vae: 'ae.safetensors',
    width: 1024, height: 1024, batch_size: 1, steps: 20, cfg: null, guidance: 3.5, sampler_name: 'euler', scheduler: 'simple',
    seed: 219670278747233, denoise: 1, sampler_node: '13',
  }],
  ['a LoRA chain through CLIPSetLastLayer; a LoRA at strength 0 is left out', fx.loraChain, {
    positive_prompt: 'portrait of an old fisherman, film photo', negative_prompt: 'cartoon, 3d render',
    checkpoint: 'realisticVisionV60B1_v51VAE.safetensors', vae: 'vae-ft-mse-840000-ema-pruned.safetensors',
    loras: [
      { name: 'add_detail.safetensors', strength_model: 0.6, strength_clip: 0.6 },
      { name: 'styles/film_grain.safetensors', strength_model: 0.8, strength_clip: 1 },
    ],
    width: 512, height: 768, batch_size: 4, steps: 30, cfg: 5.5, sampler_name: 'dpmpp_2m', scheduler: 'karras', seed: 42,
  }],
  ['Flux GGUF with LoraLoaderModelOnly, CLIPTextEncodeFlux and a zeroed negative', fx.fluxLoraModelOnly, {
    positive_prompt: 'a rainy neon city street at night, reflections\nneon city', negative_prompt: null,
    unet: 'flux1-schnell-Q8_0.gguf', clip: ['clip_l.safetensors', 't5xxl_fp8_e4m3fn.safetensors'],
    loras: [{ name: 'flux/realism_lora.safetensors', strength_model: 0.9, strength_clip: null }],
    width: 1216, height: 832, steps: 4, cfg: 1, guidance: 3.5, seed: 7,
  }],
  ['KSamplerAdvanced: noise_seed, preview output', fx.ksamplerAdvanced, {
    positive_prompt: 'score_9, a red fox in the snow', negative_prompt: 'score_4', checkpoint: 'Pony/ponyDiffusionV6XL.safetensors',
    width: 832, height: 1216, steps: 28, cfg: 6.5, sampler_name: 'euler_ancestral', seed: 99, denoise: null,
  }],
  ['SD 3.5 SamplerCustomAdvanced: CFGGuider, RandomNoise, KSamplerSelect, SplitSigmas over BasicScheduler', fx.sd35CustomAdvanced, {
    positive_prompt: 'a glass teapot on a wooden table, morning light\na glass teapot', negative_prompt: null,
    checkpoint: 'sd3.5_large.safetensors', clip: ['clip_g.safetensors', 'clip_l.safetensors', 't5xxl_fp16.safetensors'],
    width: 1024, height: 1024, steps: 30, cfg: 4.5, sampler_name: 'dpmpp_2m', scheduler: 'sgm_uniform', seed: 123456789, denoise: 1,
  }],
  ['img2img: LoadImage scaled and encoded, denoise 0.6', fx.img2img, {
    positive_prompt: 'oil painting of a beach, impressionism', negative_prompt: 'photo', checkpoint: 'dreamshaper_8.safetensors',
    init_image: 'holiday photo.png', width: 768, height: 512, batch_size: null, steps: 25, cfg: 7, denoise: 0.6, seed: 5,
  }],
  ['reroutes, primitive nodes and StringConcatenate', fx.reroutesAndPrimitives, {
    positive_prompt: 'a cozy cabin in the woods, winter, snow, warm window light', negative_prompt: 'people, text',
    checkpoint: 'juggernautXL_v9.safetensors', width: 1152, height: 896, seed: 8675309, steps: 35,
  }],
  ['hires fix: the first pass is the one shown', fx.hiresFix, {
    positive_prompt: 'a castle on a hill, epic', width: 512, height: 512, steps: 20, seed: 1001, denoise: 1, sampler_node: '5',
  }],
  ['ControlNetApplyAdvanced outputs followed by side, ConditioningCombine joined', fx.controlNetCombine, {
    positive_prompt: 'a dancer on stage\nspotlight, dramatic', negative_prompt: 'extra limbs', width: 512, height: 768, init_image: null,
  }],
  ['inpainting through VAEEncodeForInpaint', fx.inpaint, {
    positive_prompt: 'closeup photograph of maine coon (cat:1.2) in the yosemite national park mountains nature',
    checkpoint: '512-inpainting-ema.safetensors', init_image: 'yosemite_inpaint_example.png', width: null, height: null,
  }],
  ["rgthree's Power Lora Loader and Seed node", fx.powerLoraLoader, {
    positive_prompt: 'pixel art of a dragon', negative_prompt: null, checkpoint: 'sd_xl_base_1.0.safetensors', seed: 31337,
    loras: [
      { name: 'lcm-lora-sdxl.safetensors', strength_model: 1, strength_clip: 1 },
      { name: 'styles/pixel-art-xl.safetensors', strength_model: 0.5, strength_clip: 0.25 },
    ],
  }],
];

describe('reading an API-format workflow', () => {
  it.each(cases)('%s', (_name, graph, expected) => {
    const before = structuredClone(graph);
    expect(readWorkflow(graph)).toMatchObject(expected);
    // Reading never changes the workflow that will be sent.
    expect(graph).toEqual(before);
  });

  it('a graph without a sampler reads as nothing known', () => {
    const reading = readWorkflow(fx.noSampler);
    expect(reading.sampler_node).toBeNull();
    expect(reading.positive_prompt).toBeNull();
    expect(reading.checkpoint).toBeNull();
  });

  it('survives cycles and dangling links without hanging', () => {
    const graph: ComfyGraph = {
      1: { class_type: 'Reroute', inputs: { '': ['2', 0] } },
      2: { class_type: 'Reroute', inputs: { '': ['1', 0] } },
      3: { class_type: 'KSampler', inputs: { seed: ['1', 0], steps: 5, model: ['4', 0], positive: ['5', 0], negative: ['9', 0], latent_image: ['6', 0] } },
      4: { class_type: 'ModelSamplingDiscrete', inputs: { model: ['4', 0] } },
      5: { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['5', 0], conditioning_2: ['7', 0] } },
      6: { class_type: 'LatentUpscale', inputs: { samples: ['6', 0], width: 64, height: 64 } },
      7: { class_type: 'CLIPTextEncode', inputs: { text: 'loop', clip: ['8', 0] } },
      8: { class_type: 'CLIPSetLastLayer', inputs: { clip: ['8', 0] } },
    };
    const reading = readWorkflow(graph);
    expect(reading).toMatchObject({ positive_prompt: 'loop', seed: null, steps: 5, width: 64, checkpoint: null });
  });
});
