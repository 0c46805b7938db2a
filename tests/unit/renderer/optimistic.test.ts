import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient, setApiClient } from '../../../renderer/src/api/client.ts';
import { optimistic } from '../../../renderer/src/composables/optimistic.ts';
import { useJobs } from '../../../renderer/src/stores/jobs.ts';
import { useSettings } from '../../../renderer/src/stores/settings.ts';
import { createFakeFetch, json } from './fake-fetch.ts';

describe('optimistic', () => {
  it('changes state before the request and keeps it when the request succeeds', async () => {
    const state = { value: 1 };
    const undo = vi.fn();
    const seen: number[] = [];
    const result = await optimistic(
      () => {
        state.value = 2;
        return undo;
      },
      async () => {
        seen.push(state.value);
        return 'ok';
      },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([2]);
    expect(state.value).toBe(2);
    expect(undo).not.toHaveBeenCalled();
  });

  it('undoes the change and rethrows when the request fails', async () => {
    const state = { value: 1 };
    const failure = new Error('refused');
    await expect(optimistic(() => {
      state.value = 2;
      return () => (state.value = 1);
    }, async () => { throw failure; })).rejects.toBe(failure);
    expect(state.value).toBe(1);
  });

  it('is what the stores use: a refused settings save or pause puts the old value back', async () => {
    const f = createFakeFetch({
      'PUT /api/v1/settings': () => json(400, { error: 'validation_error', message: 'no' }),
      'POST /api/v1/queue/pause': () => json(503, { error: 'not_ready', message: 'later' }),
    });
    setApiClient(new ApiClient({ fetch: f.fetch }));
    setActivePinia(createPinia());
    const settings = useSettings();
    const jobs = useJobs();
    const save = settings.save({ default_priority: 9 });
    expect(settings.settings.default_priority).toBe(9);
    await expect(save).rejects.toMatchObject({ status: 400 });
    expect(settings.settings.default_priority).toBe(5);
    expect(settings.saving).toBe(false);
    const pause = jobs.setPaused(true);
    expect(jobs.paused).toBe(true);
    await expect(pause).rejects.toMatchObject({ status: 503 });
    expect(jobs.paused).toBe(false);
  });
});
