import { describe, expect, it } from 'vitest';
import { findInputSlots } from '../../../electron/engine/backends/comfyui/graph/input-slots.ts';
import { readConditioning } from '../../../electron/engine/backends/comfyui/graph/prompt-text.ts';
import * as fx from './fixtures/api-workflows.ts';

describe('input slots follow the same conditioning walk as the reader', () => {
  it('finds the prompt, negative, seed and size slots of the default SD 1.5 graph', () => {
    expect(findInputSlots(fx.sd15Default)).toMatchObject({
      positive_prompt: [{ node_id: '6', input: 'text' }],
      negative_prompt: [{ node_id: '7', input: 'text' }],
      seed: [{ node_id: '3', input: 'seed' }],
      width: [{ node_id: '5', input: 'width' }],
      checkpoint_name: [{ node_id: '4', input: 'ckpt_name' }],
    });
  });

  it('a zeroed-out negative has no slot: writing a negative prompt must not overwrite the positive encoder', () => {
    const slots = findInputSlots(fx.fluxLoraModelOnly);
    expect(slots.positive_prompt).toEqual([{ node_id: '4', input: 't5xxl' }, { node_id: '4', input: 'clip_l' }]);
    expect(slots.negative_prompt).toBeUndefined();
    expect(readConditioning(fx.fluxLoraModelOnly, fx.fluxLoraModelOnly['7']!.inputs.negative).texts).toEqual([]);
  });

  it('a widget turned into an input is written on the primitive it links to', () => {
    const slots = findInputSlots(fx.reroutesAndPrimitives);
    expect(slots.seed).toEqual([{ node_id: '9', input: 'value' }]);
    expect(slots.width).toEqual([{ node_id: '12', input: 'value' }]);
    expect(slots.negative_prompt).toEqual([{ node_id: '8', input: 'text' }]);
  });

  it('through ControlNet the negative side follows output 1, and each slot is where the reader found its text', () => {
    const slots = findInputSlots(fx.controlNetCombine);
    expect(slots.negative_prompt).toEqual([{ node_id: '5', input: 'text' }]);
    const read = readConditioning(fx.controlNetCombine, ['8', 0]).texts;
    const slot = slots.positive_prompt![0]!;
    expect(read).toContain(fx.controlNetCombine[slot.node_id]!.inputs[slot.input]);
  });
});
