import { describe, expect, it } from 'vitest';
import { PromptProgress } from '../../../electron/engine/backends/comfyui/prompt-progress.ts';
import type { ComfyGraph } from '../../../electron/engine/backends/comfyui/workflow.ts';

const twoSamplers: ComfyGraph = {
  3: { class_type: 'KSampler', inputs: { seed: 1 } },
  6: { class_type: 'KSamplerAdvanced', inputs: { noise_seed: 2 } },
  8: { class_type: 'SaveImage', inputs: {} },
};

describe('PromptProgress', () => {
  it('spreads overall progress over the sampler nodes', () => {
    let now = 0;
    const progress = new PromptProgress(twoSamplers, () => now);
    progress.started();
    now = 1000;
    expect(progress.step('3', 5, 10)).toMatchObject({ progress: 0.25, step: 5, steps: 10 });
    progress.executing('6');
    now = 3000;
    const update = progress.step('6', 10, 20);
    expect(update?.progress).toBeCloseTo(0.75);
    expect(update?.etaSeconds).toBeCloseTo(1);
  });

  it('counts cached samplers as done and never goes back', () => {
    const progress = new PromptProgress(twoSamplers);
    progress.cached(['3']);
    expect(progress.step('6', 1, 2)?.progress).toBeCloseTo(0.75);
    // An upscaler nobody expected joins the count, but the number shown does not drop.
    expect(progress.step('99', 1, 10)?.progress).toBeCloseTo(0.75);
  });

  it('learns the nodes from the events when the graph is unknown (reattached job)', () => {
    const progress = new PromptProgress(null);
    expect(progress.step('3', 3, 4)?.progress).toBeCloseTo(0.75);
    expect(progress.step('3', 0, 0)).toBeNull();
  });
});
