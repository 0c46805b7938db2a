import { describe, expect, it } from 'vitest';
import { insideHours, nextOpening, parseAllowedHours } from '../../../electron/engine/servers/allowed-hours.ts';
import { matchesCheckpoint } from '../../../electron/engine/servers/checkpoint-pattern.ts';
import { sizeOf } from '../../../electron/engine/queue/job-demands.ts';
import { ruleBarrier, timeBarrier, waitVerdict, type JobDemands } from '../../../electron/engine/servers/server-eligibility.ts';
import type { RuntimeServer } from '../../../electron/engine/servers/server-registry.ts';
import type { ServerRow } from '../../../electron/engine/servers/server-store.ts';
import { draftErrors, draftOf, pixelsOf, rulesBody } from '../../../renderer/src/lib/server-rules-draft.ts';

const GB = 1024 ** 3;
const NOON = Date.parse('2026-03-02T12:00:00Z');

function server(alias: string, row: Partial<ServerRow> = {}, live: Partial<RuntimeServer> = {}): RuntimeServer {
  return {
    row: {
      alias, app_type: 'forge', api_url: 'http://x', username: null, max_concurrency: 1, enabled: 1, created_at: '', updated_at: '',
      tags_json: '[]', allowed_checkpoints_json: '[]', blocked_checkpoints_json: '[]', max_pixels: null, max_batch: null, paused: 0,
      allowed_hours: null, time_zone: 'UTC', drain_action: 'none', ...row,
    },
    health: 'online', vram: { free: 10 * GB, total: 24 * GB }, ...live,
  } as RuntimeServer;
}

const job = (over: Partial<JobDemands> = {}): JobDemands => ({
  appType: 'forge', target: 'auto', checkpoint: 'sdxl/juggernautXL_v9.safetensors [abc1234567]', pixels: 1024 * 1024, batch: 1,
  requiresTags: [], oomVramBytes: null, ...over,
});

describe('checkpoint patterns', () => {
  it('match the whole name or its file stem, case-insensitively, with * and ?', () => {
    expect(matchesCheckpoint('juggernaut*', 'sdxl/juggernautXL_v9.safetensors [abc1234567]')).toBe(true);
    expect(matchesCheckpoint('*XL*', 'sdxl/juggernautXL_v9.safetensors')).toBe(true);
    expect(matchesCheckpoint('sdxl/*', 'sdxl/juggernautXL_v9.safetensors')).toBe(true);
    expect(matchesCheckpoint('flux?dev', 'flux1dev.safetensors')).toBe(true);
    expect(matchesCheckpoint('flux*', 'sdxl/juggernautXL_v9.safetensors')).toBe(false);
    expect(matchesCheckpoint('a.b', 'axb')).toBe(false);
  });
});

describe('allowed hours', () => {
  it('wrap midnight in the server time zone and say when they next open', () => {
    const night = parseAllowedHours('23:00-07:00');
    expect(insideHours(night, NOON, 'UTC')).toBe(false);
    expect(insideHours(night, Date.parse('2026-03-02T23:30:00Z'), 'UTC')).toBe(true);
    expect(insideHours(night, Date.parse('2026-03-02T06:59:00Z'), 'UTC')).toBe(true);
    // Noon UTC is 21:00 in Tokyo: still outside, opens at 23:00 Tokyo = 14:00 UTC.
    expect(insideHours(night, NOON, 'Asia/Tokyo')).toBe(false);
    expect(new Date(nextOpening(night!, NOON, 'Asia/Tokyo')).toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(new Date(nextOpening(night!, NOON, 'UTC')).toISOString()).toBe('2026-03-02T23:00:00.000Z');
    expect(insideHours(null, NOON, null)).toBe(true);
  });
});

describe('server eligibility', () => {
  it('names the rule that keeps a server from a job', () => {
    expect(ruleBarrier(server('a'), job({ requiresTags: ['flux', 'video'] }))).toBe('a lacks the tags "flux", "video"');
    expect(ruleBarrier(server('a', { blocked_checkpoints_json: '["*xl*"]' }), job())).toBe('a blocks checkpoint "sdxl/juggernautXL_v9.safetensors [abc1234567]" (pattern "*xl*")');
    expect(ruleBarrier(server('a', { allowed_checkpoints_json: '["flux*"]' }), job())).toBe('a allows only checkpoints matching "flux*"');
    expect(ruleBarrier(server('a', { max_pixels: 512 * 512 }), job())).toBe('a takes at most 262,144 pixels per image; this job makes 1,048,576');
    expect(ruleBarrier(server('a', { max_batch: 2 }), job({ batch: 4 }))).toBe('a takes batches of at most 2; this job makes 4');
    expect(ruleBarrier(server('a', { tags_json: '["flux"]' }), job({ requiresTags: ['flux'] }))).toBeNull();
  });

  it('after an out-of-memory failure only a bigger GPU qualifies; one not checked yet may be it', () => {
    const oom = job({ oomVramBytes: 8 * GB });
    expect(ruleBarrier(server('big'), oom)).toBeNull();
    expect(ruleBarrier(server('small', {}, { vram: { free: 1, total: 8 * GB } }), oom)).toMatch(/ran out of GPU memory on a 8.0 GB GPU and small has 8.0 GB/);
    expect(ruleBarrier(server('new', {}, { vram: null, health: 'unknown' }), oom)).toBeNull();
    expect(ruleBarrier(server('silent', {}, { vram: null, health: 'online' }), oom)).toMatch(/no known amount/);
  });

  it('says "never" with every server\'s rule, "later" for paused, offline or out-of-hours servers, nothing when one may take it', () => {
    const a = server('a', { tags_json: '["sdxl"]' });
    const b = server('b', { tags_json: '["flux"]' });
    expect(waitVerdict(job({ requiresTags: ['video'] }), [a, b], NOON)).toEqual({
      verdict: 'never', reason: 'No enabled server can take this job: a lacks the tag "video"; b lacks the tag "video".',
    });
    expect(waitVerdict(job({ requiresTags: ['flux'] }), [a, b], NOON)).toBeNull();
    const offline = server('b', { tags_json: '["flux"]' }, { health: 'offline' });
    expect(waitVerdict(job({ requiresTags: ['flux'] }), [a, offline], NOON)).toEqual({ verdict: 'later', reason: 'Waiting — only b can take it and it is offline', until: null });
    const nightly = server('b', { tags_json: '["flux"]', allowed_hours: '23:00-07:00' });
    expect(waitVerdict(job({ requiresTags: ['flux'] }), [a, nightly], NOON)).toEqual({
      verdict: 'later', reason: 'Waiting — waits until 23:00 (b runs jobs 23:00–07:00)', until: Date.parse('2026-03-02T23:00:00Z'),
    });
    expect(timeBarrier(server('p', { paused: 1 }), NOON)).toEqual({ reason: 'p is paused', until: null });
    // A disabled server is no candidate; a job for another app type has no candidates at all.
    expect(waitVerdict(job({ requiresTags: ['flux'] }), [a, server('b', { tags_json: '["flux"]', enabled: 0 })], NOON)?.verdict).toBe('never');
    expect(waitVerdict(job({ appType: 'comfyui' }), [a, b], NOON)).toBeNull();
  });

  it('reads the size and batch a job makes, the hires pass counted', () => {
    expect(sizeOf({ width: 512, height: 768, batch_size: 2, n_iter: 3 })).toEqual({ pixels: 512 * 768, batch: 6 });
    expect(sizeOf({ width: 512, height: 512, enable_hr: true, hr_scale: 2 })).toEqual({ pixels: 1024 * 1024, batch: 1 });
    expect(sizeOf({ positive_prompt: 'no size' })).toEqual({ pixels: null, batch: 1 });
  });
});

describe('server form rules draft', () => {
  it('turns typed text into the API body and back, and says what is wrong', () => {
    const draft = { ...draftOf(null), tags: 'sdxl, 24gb,, sdxl', blocked: 'flux*', largest: '1024x1024', maxBatch: '4', hoursFrom: '23:00', hoursTo: '07:00', unloadOnDrain: true };
    expect(rulesBody(draft)).toEqual({
      tags: ['sdxl', '24gb'], allowed_checkpoints: [], blocked_checkpoints: ['flux*'], max_pixels: 1048576, max_batch: 4,
      allowed_hours: '23:00-07:00', time_zone: null, drain_action: 'unload',
    });
    expect(pixelsOf('768 × 512')).toBe(393216);
    expect(draftErrors({ ...draft, tags: 'SDXL', largest: 'big', maxBatch: '0', hoursTo: '' })).toEqual({
      tags: expect.any(String), largest: expect.any(String), maxBatch: expect.any(String), hours: expect.any(String),
    });
  });
});
