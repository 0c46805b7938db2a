import { describe, expect, it } from 'vitest';
import { randomizeSeeds, randomSeed, seedForOutput, seedsInGraph, wantsRandomSeed } from '../../../electron/engine/backends/comfyui/seeds.ts';
import type { ComfyGraph } from '../../../electron/engine/backends/comfyui/workflow.ts';

/** Base pass (KSampler) and a hires pass (KSamplerAdvanced), each saved; plus a RandomNoise node. */
function twoPassGraph(): ComfyGraph {
  return {
    1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
    3: { class_type: 'KSampler', inputs: { seed: 11, steps: 20, model: ['1', 0] } },
    4: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['1', 2] } },
    5: { class_type: 'SaveImage', inputs: { images: ['4', 0], filename_prefix: 'base' } },
    6: { class_type: 'KSamplerAdvanced', inputs: { noise_seed: 22, latent_image: ['3', 0], model: ['1', 0] } },
    7: { class_type: 'VAEDecode', inputs: { samples: ['6', 0], vae: ['1', 2] } },
    8: { class_type: 'SaveImage', inputs: { images: ['7', 0], filename_prefix: 'hires' } },
    9: { class_type: 'RandomNoise', inputs: { noise_seed: 33 } },
  };
}

describe('seed randomisation', () => {
  it('re-rolls every literal seed / noise_seed input and reports what it wrote', () => {
    const graph = twoPassGraph();
    let next = 100;
    const written = randomizeSeeds(graph, () => next++);
    expect(written).toEqual({ 3: 100, 6: 101, 9: 102 });
    expect(graph[3].inputs.seed).toBe(100);
    expect(graph[6].inputs.noise_seed).toBe(101);
    expect(graph[9].inputs.noise_seed).toBe(102);
    expect(graph[3].inputs.steps).toBe(20);
  });

  it('leaves a linked seed to the node it comes from', () => {
    const graph: ComfyGraph = {
      2: { class_type: 'PrimitiveInt', inputs: { value: 42 } },
      3: { class_type: 'KSampler', inputs: { seed: ['2', 0] } },
    };
    expect(randomizeSeeds(graph, () => 7)).toEqual({});
    expect(graph[3].inputs.seed).toEqual(['2', 0]);
    expect(seedsInGraph(graph)).toEqual({ 3: 42 });
  });

  it('random seeds are exact integers below 2^48 and differ', () => {
    const seeds = new Set(Array.from({ length: 50 }, randomSeed));
    expect(seeds.size).toBeGreaterThan(45);
    for (const seed of seeds) expect(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 48).toBe(true);
  });

  it('treats -1, empty and missing as "random", like A1111', () => {
    expect([-1, '', null, undefined].map(wantsRandomSeed)).toEqual([true, true, true, true]);
    expect([0, 5].map(wantsRandomSeed)).toEqual([false, false]);
  });
});

describe('the seed actually used per output', () => {
  it('is the nearest sampler upstream of each SaveImage', () => {
    const graph = twoPassGraph();
    expect(seedForOutput(graph, '5')).toBe(11);
    expect(seedForOutput(graph, '8')).toBe(22);
    expect(seedsInGraph(graph)).toEqual({ 3: 11, 6: 22, 9: 33 });
  });

  it('is null when no sampler feeds the output', () => {
    const graph: ComfyGraph = {
      1: { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
      2: { class_type: 'SaveImage', inputs: { images: ['1', 0] } },
    };
    expect(seedForOutput(graph, '2')).toBeNull();
  });
});
