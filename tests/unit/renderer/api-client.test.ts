import { describe, expect, it, vi } from 'vitest';
import { ApiClient, buildQuery, TOKEN_HEADER } from '../../../renderer/src/api/client.ts';
import { ApiRequestError } from '../../../renderer/src/api/errors.ts';
import { createFakeFetch, json } from './fake-fetch.ts';

describe('ApiClient', () => {
  it('builds GET URLs with a comma-joined status list and skips empty params', async () => {
    const f = createFakeFetch({ 'GET /api/v1/queue/jobs': () => ({ json: { jobs: [], total: 0, limit: 50, offset: 0, paused: false, counts: {} } }) });
    const api = new ApiClient({ fetch: f.fetch });
    await api.listJobs({ status: ['pending', 'processing'], app_type: 'forge', limit: 50, offset: 0 });
    await api.listJobs({});
    expect(f.calls[0]!.url).toBe('/api/v1/queue/jobs?status=pending%2Cprocessing&app_type=forge&limit=50&offset=0');
    expect(f.calls[0]!.method).toBe('GET');
    expect(f.calls[0]!.headers['content-type']).toBeUndefined();
    expect(f.calls[1]!.url).toBe('/api/v1/queue/jobs');
  });

  it('sends JSON bodies with the right method and content type', async () => {
    const f = createFakeFetch({
      'POST /api/v1/generate': () => ({ status: 202, json: { mobilesd_job_id: 'j1' } }),
      'PUT /api/v1/queue/jobs/j1/priority': () => ({ json: {} }),
      'POST /api/v1/queue/jobs/j1/reorder': () => ({ json: {} }),
    });
    const api = new ApiClient({ fetch: f.fetch });
    const res = await api.generate({ target_server_alias: 'auto', app_type: 'forge', priority: 7, generation_params: { positive_prompt: 'cat' } });
    expect(res.mobilesd_job_id).toBe('j1');
    expect(f.calls[0]).toMatchObject({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: { target_server_alias: 'auto', app_type: 'forge', priority: 7, generation_params: { positive_prompt: 'cat' } },
    });
    await api.setJobPriority('j1', 9);
    await api.reorderJob('j1', { before: '00000000-0000-4000-8000-000000000000' });
    expect(f.calls[1]).toMatchObject({ method: 'PUT', body: { priority: 9 } });
    expect(f.calls[2]).toMatchObject({ method: 'POST', body: { before: '00000000-0000-4000-8000-000000000000' } });
  });

  it('escapes aliases in paths and unwraps resource lists', async () => {
    const f = createFakeFetch({ 'GET /api/v1/servers/my%20gpu/resources/checkpoints': () => ({ json: { items: [{ name: 'a.safetensors', title: 'a' }] } }) });
    const api = new ApiClient({ fetch: f.fetch });
    expect(await api.serverResources('my gpu', 'checkpoints')).toEqual([{ name: 'a.safetensors', title: 'a' }]);
  });

  it('turns error bodies into typed errors', async () => {
    const f = createFakeFetch({
      'POST /api/v1/servers': () => json(400, { error: 'validation_error', message: 'alias is taken', details: [{ field: 'alias' }] }),
    });
    const api = new ApiClient({ fetch: f.fetch });
    const err = await api.createServer({ alias: 'x', app_type: 'forge', api_url: 'http://h' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ status: 400, code: 'validation_error', message: 'alias is taken', details: [{ field: 'alias' }] });
    expect(err.isValidation).toBe(true);
  });

  it('falls back to a helpful message when the error body is not JSON', async () => {
    const f = createFakeFetch({ 'GET /api/v1/servers': () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    const err = await new ApiClient({ fetch: f.fetch }).listServers().catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: 'http_502' });
    expect(err.message).toMatch(/image server/i);
  });

  it('resolves 204 to undefined and accepts 200 bodies for deletes', async () => {
    const f = createFakeFetch({
      'DELETE /api/v1/images/5': () => new Response(null, { status: 204 }),
      'DELETE /api/v1/queue/jobs/j1': () => ({ json: { deleted: 'j1' } }),
    });
    const api = new ApiClient({ fetch: f.fetch });
    await expect(api.deleteImage(5)).resolves.toBeUndefined();
    await expect(api.deleteJob('j1')).resolves.toEqual({ deleted: 'j1' });
  });

  it('reports a network failure as status 0 with what to do', async () => {
    const api = new ApiClient({ fetch: async () => { throw new TypeError('fetch failed'); } });
    const err = await api.health().catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: 'network_error', isNetwork: true });
    expect(err.message).toMatch(/Cannot reach StableQueue/);
  });

  it('calls onUnauthorized on 401', async () => {
    const onUnauthorized = vi.fn();
    const f = createFakeFetch({ 'GET /api/v1/settings': () => json(401, { error: 'auth_required', message: 'Sign in.' }) });
    const api = new ApiClient({ fetch: f.fetch, onUnauthorized });
    await expect(api.getSettings()).rejects.toMatchObject({ status: 401, code: 'auth_required' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('reads Retry-After on a 429 so a caller can count down', async () => {
    const f = createFakeFetch({
      'POST /api/v1/auth/login': () => new Response(JSON.stringify({ error: 'too_many_attempts', message: 'Wait 7 s.' }), { status: 429, headers: { 'content-type': 'application/json', 'Retry-After': '7' } }),
      'GET /api/v1/settings': () => json(429, { error: 'rate_limited', message: 'Slow down.' }),
    });
    const api = new ApiClient({ fetch: f.fetch });
    await expect(api.login('nope')).rejects.toMatchObject({ status: 429, retryAfterSeconds: 7 });
    await expect(api.getSettings()).rejects.toMatchObject({ status: 429, retryAfterSeconds: null });
  });

  it('manages API keys through the same client (token header, 401 hook)', async () => {
    const view = { id: 'k1', name: 'forge', key: 'sq_1', permissions: ['submit'], is_active: true, created_at: '2026-01-01T00:00:00Z', last_used: null, rate_limit_per_minute: 600, max_queue_depth: 500 };
    const onUnauthorized = vi.fn();
    const f = createFakeFetch({
      'GET /api/v1/api-keys': () => ({ json: { keys: [view] } }),
      'POST /api/v1/api-keys': () => ({ status: 201, json: { ...view, secret: 's3cret' } }),
      'PUT /api/v1/api-keys/k%2F1': () => ({ json: { ...view, is_active: false } }),
      'DELETE /api/v1/api-keys/k1': () => json(401, { error: 'login_required', message: 'Sign in.' }),
    });
    const api = new ApiClient({ token: 'tok', fetch: f.fetch, onUnauthorized });
    expect(await api.listApiKeys()).toEqual([view]);
    expect((await api.createApiKey({ name: 'forge', permissions: ['submit'] })).secret).toBe('s3cret');
    expect(f.calls[1]).toMatchObject({ method: 'POST', body: { name: 'forge', permissions: ['submit'] } });
    expect((await api.updateApiKey('k/1', { is_active: false })).is_active).toBe(false);
    expect(f.calls[2]).toMatchObject({ method: 'PUT', body: { is_active: false } });
    await expect(api.deleteApiKey('k1')).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledOnce();
    expect(f.calls.every((c) => c.headers[TOKEN_HEADER.toLowerCase()] === 'tok')).toBe(true);
  });

  it('uses the desktop bootstrap: base URL, token header, token on asset URLs', async () => {
    const f = createFakeFetch({ 'GET /api/v1/health': () => ({ json: { ok: true, version: '1' } }) });
    const api = new ApiClient({ base: 'http://127.0.0.1:5555/', token: 'tok', fetch: f.fetch });
    await api.health();
    expect(f.calls[0]!.url).toBe('http://127.0.0.1:5555/api/v1/health');
    expect(f.calls[0]!.headers[TOKEN_HEADER.toLowerCase()]).toBe('tok');
    expect(api.eventsUrl()).toBe('http://127.0.0.1:5555/api/v1/events?launch_token=tok');
    expect(api.assetUrl('/api/v1/images/3/thumbnail')).toBe('http://127.0.0.1:5555/api/v1/images/3/thumbnail?launch_token=tok');
    expect(api.jobPreviewUrl('j1', 4)).toBe('http://127.0.0.1:5555/api/v1/queue/jobs/j1/preview?t=4&launch_token=tok');
  });

  it('keeps relative URLs without a bootstrap', () => {
    const api = new ApiClient();
    expect(api.eventsUrl()).toBe('/api/v1/events');
    expect(api.assetUrl('/api/v1/images/3/download')).toBe('/api/v1/images/3/download');
    expect(api.assetUrl(null)).toBe('');
  });

  it('buildQuery drops undefined, null and empty values', () => {
    expect(buildQuery({ a: 1, b: undefined, c: null, d: '', e: ['x', 'y'], f: [] })).toBe('?a=1&e=x%2Cy');
    expect(buildQuery({})).toBe('');
  });
});
