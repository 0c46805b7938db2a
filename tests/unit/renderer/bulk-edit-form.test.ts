import { describe, expect, it } from 'vitest';
import { bulkEditOf, emptyBulkEditForm, skipReasonText } from '../../../renderer/src/lib/bulk-edit-form.ts';

describe('the bulk edit form as a request', () => {
  it('asks for nothing until a field is set', () => {
    expect(bulkEditOf(emptyBulkEditForm())).toBeNull();
    // A replacement without a text to find is no change either.
    expect(bulkEditOf({ ...emptyBulkEditForm(), replace: 'dog' })).toBeNull();
  });

  it('sends only the fields set: find/replace, steps, size, a fixed seed', () => {
    const form = { ...emptyBulkEditForm(), find: 'cat', replace: 'dog', setSteps: true, steps: 33, setSize: true, width: 768, height: 512, seed: 'fixed' as const, fixedSeed: '42' };
    expect(bulkEditOf(form)).toEqual({ find: 'cat', replace: 'dog', steps: 33, width: 768, height: 512, seed_mode: 'fixed', seed: 42 });
    expect(bulkEditOf({ ...emptyBulkEditForm(), find: ', blurry' })).toEqual({ find: ', blurry', replace: '' });
    expect(bulkEditOf({ ...emptyBulkEditForm(), checkpoint: 'a.safetensors', sampler: 'Euler', seed: 'random' }))
      .toEqual({ checkpoint_name: 'a.safetensors', sampler_name: 'Euler', seed_mode: 'random' });
    expect(bulkEditOf({ ...emptyBulkEditForm(), seed: 'fixed' })).toEqual({ seed_mode: 'fixed' });
  });

  it('reads skip reasons in words, unknown codes included', () => {
    expect(skipReasonText('not_waiting')).toBe('already running or finished');
    expect(skipReasonText('some_new_code')).toBe('some new code');
  });
});
