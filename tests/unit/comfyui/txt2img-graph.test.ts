import { describe, expect, it } from 'vitest';
import { buildTxt2ImgGraph } from '../../../electron/engine/backends/comfyui/txt2img-graph.ts';
import { isLink, type ComfyGraph } from '../../../electron/engine/backends/comfyui/workflow.ts';

function byClass(graph: ComfyGraph, classType: string) {
  return Object.entries(graph).filter(([, node]) => node.class_type === classType);
}

describe('buildTxt2ImgGraph', () => {
  const params = {
    positive_prompt: 'a red fox', negative_prompt: 'blurry', width: 768, height: 512, steps: 25, cfg_scale: 5.5,
    sampler_name: 'DPM++ 2M Karras', batch_size: 2,
  };

  it('wires CheckpointLoaderSimple → CLIPTextEncode ×2 → EmptyLatentImage → KSampler → VAEDecode → SaveImage', () => {
    const { graph, outputNode, samplerNode } = buildTxt2ImgGraph(params, { checkpoint: 'sd_xl_base_1.0.safetensors', loras: [], vae: null }, 1234);
    const [ckptId, ckpt] = byClass(graph, 'CheckpointLoaderSimple')[0];
    expect(ckpt.inputs.ckpt_name).toBe('sd_xl_base_1.0.safetensors');
    const sampler = graph[samplerNode];
    expect(sampler.class_type).toBe('KSampler');
    expect(sampler.inputs).toMatchObject({ seed: 1234, steps: 25, cfg: 5.5, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: 1 });
    expect(sampler.inputs.model).toEqual([ckptId, 0]);
    const positive = graph[(sampler.inputs.positive as [string, number])[0]];
    const negative = graph[(sampler.inputs.negative as [string, number])[0]];
    expect(positive).toMatchObject({ class_type: 'CLIPTextEncode', inputs: { text: 'a red fox', clip: [ckptId, 1] } });
    expect(negative).toMatchObject({ class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: [ckptId, 1] } });
    const latent = graph[(sampler.inputs.latent_image as [string, number])[0]];
    expect(latent).toMatchObject({ class_type: 'EmptyLatentImage', inputs: { width: 768, height: 512, batch_size: 2 } });
    const save = graph[outputNode];
    expect(save.class_type).toBe('SaveImage');
    const decode = graph[(save.inputs.images as [string, number])[0]];
    expect(decode).toMatchObject({ class_type: 'VAEDecode', inputs: { samples: [samplerNode, 0], vae: [ckptId, 2] } });
  });

  it('chains LoRAs between the checkpoint and everything that uses model or clip', () => {
    const { graph, samplerNode } = buildTxt2ImgGraph(params, {
      checkpoint: 'a.safetensors', loras: [{ name: 'add_detail.safetensors', weight: 0.6 }, { name: 'styles/pixel.safetensors', weight: 1 }], vae: null,
    }, 1);
    const loras = byClass(graph, 'LoraLoader');
    expect(loras).toHaveLength(2);
    const [[firstId, first], [secondId, second]] = loras;
    const ckptId = byClass(graph, 'CheckpointLoaderSimple')[0][0];
    expect(first.inputs).toMatchObject({ model: [ckptId, 0], clip: [ckptId, 1], lora_name: 'add_detail.safetensors', strength_model: 0.6, strength_clip: 0.6 });
    expect(second.inputs).toMatchObject({ model: [firstId, 0], clip: [firstId, 1], lora_name: 'styles/pixel.safetensors' });
    expect(graph[samplerNode].inputs.model).toEqual([secondId, 0]);
    for (const [, encode] of byClass(graph, 'CLIPTextEncode')) expect(encode.inputs.clip).toEqual([secondId, 1]);
  });

  it('uses a VAELoader when a VAE is named', () => {
    const { graph } = buildTxt2ImgGraph(params, { checkpoint: 'a.safetensors', loras: [], vae: 'sdxl_vae.safetensors' }, 1);
    const [vaeId, vae] = byClass(graph, 'VAELoader')[0];
    expect(vae.inputs.vae_name).toBe('sdxl_vae.safetensors');
    expect(byClass(graph, 'VAEDecode')[0][1].inputs.vae).toEqual([vaeId, 0]);
  });

  it('fills defaults and folds n_iter into the batch', () => {
    const { graph, samplerNode } = buildTxt2ImgGraph({ positive_prompt: 'x', n_iter: 3 }, { checkpoint: 'a', loras: [], vae: null }, 7);
    expect(graph[samplerNode].inputs).toMatchObject({ steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', seed: 7 });
    expect(byClass(graph, 'EmptyLatentImage')[0][1].inputs).toEqual({ width: 512, height: 512, batch_size: 3 });
    expect(byClass(graph, 'CLIPTextEncode').map(([, n]) => n.inputs.text).sort()).toEqual(['', 'x']);
  });

  it('every link points at a node of the graph', () => {
    const { graph } = buildTxt2ImgGraph(params, { checkpoint: 'a', loras: [{ name: 'l', weight: 1 }], vae: 'v' }, 1);
    for (const node of Object.values(graph)) {
      for (const value of Object.values(node.inputs)) if (isLink(value)) expect(graph[value[0]]).toBeDefined();
    }
  });
});
