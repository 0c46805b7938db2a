import { describe, expect, it } from 'vitest';
import { facadeClientName, jobSource } from '../../../renderer/src/lib/job-source.ts';

describe('job source labels', () => {
  it('names a facade job by its door and the client product from its User-Agent, the whole agent in full', () => {
    expect(jobSource('a1111_api', { compat: { door: 'a1111', client_name: 'SillyTavern/1.12.6 (Linux)' } })).toEqual({
      label: 'A1111 API · SillyTavern', full: 'A1111 API · SillyTavern/1.12.6 (Linux)',
    });
    expect(jobSource('comfyui_api', { compat: { door: 'comfyui', client_name: 'Python-urllib/3.11' } })?.label).toBe('ComfyUI API · Python-urllib');
  });

  it('falls back to the door alone without a client name, and to the raw source for a client-chosen one', () => {
    expect(jobSource('a1111_api', { compat: { door: 'a1111', client_name: null } })).toEqual({ label: 'A1111 API', full: 'A1111 API' });
    expect(jobSource('my_discord_bot', null)).toEqual({ label: 'my_discord_bot', full: 'my_discord_bot' });
    expect(jobSource(null, null)).toBeNull();
  });

  it('reads the client name only from metadata.compat', () => {
    expect(facadeClientName({ client_name: 'not from a facade' })).toBeNull();
    expect(facadeClientName({ compat: 'broken' })).toBeNull();
    expect(facadeClientName({ compat: { client_name: '  ' } })).toBeNull();
  });
});
