import { describe, expect, it } from 'vitest';
import { bulkEditPatch } from '../../../electron/engine/queue/bulk-actions.ts';

const seed = () => 777;

describe('bulkEditPatch: what a bulk edit changes on one job', () => {
  it('replaces every occurrence in both prompts, sets the given fields, and leaves out what is already so', () => {
    const params = { positive_prompt: 'a cat, cat ears', negative_prompt: 'ugly cat', steps: 20, width: 512, sampler_name: 'Euler' };
    expect(bulkEditPatch(params, { find: 'cat', replace: 'dog', steps: 30, width: 512, sampler_name: 'DPM++ 2M' }, seed))
      .toEqual({ positive_prompt: 'a dog, dog ears', negative_prompt: 'ugly dog', steps: 30, sampler_name: 'DPM++ 2M' });
  });

  it('removes the text when no replacement is given, and says null when nothing changes', () => {
    expect(bulkEditPatch({ positive_prompt: 'red, blue' }, { find: ', blue' }, seed)).toEqual({ positive_prompt: 'red' });
    expect(bulkEditPatch({ positive_prompt: 'red' }, { find: 'green', replace: 'x' }, seed)).toBeNull();
    expect(bulkEditPatch({ steps: 20 }, { steps: 20 }, seed)).toBeNull();
  });

  it('seed modes: random is -1; fixed takes the seed given, keeps a concrete one, or makes a random one concrete', () => {
    expect(bulkEditPatch({ seed: 5 }, { seed_mode: 'random' }, seed)).toEqual({ seed: -1 });
    expect(bulkEditPatch({ seed: 5 }, { seed_mode: 'fixed', seed: 9 }, seed)).toEqual({ seed: 9 });
    expect(bulkEditPatch({ seed: 5 }, { seed_mode: 'fixed' }, seed)).toBeNull();
    expect(bulkEditPatch({ seed: -1 }, { seed_mode: 'fixed' }, seed)).toEqual({ seed: 777 });
    expect(bulkEditPatch({}, { seed_mode: 'fixed' }, seed)).toEqual({ seed: 777 });
  });
});
