/**
 * API keys end to end on a real engine (createEngine, loopback): the auth matrix on
 * /api/v2/generate and a read endpoint, permissions, Bearer tokens, per-key rate limit,
 * failed-attempt backoff, own-job rules, queue depth, key management and CORS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';
import { rawJson, rawRequest } from '../unit/security/helpers/raw-http.ts';

const JOB = { target_server_alias: 'auto', generation_params: { positive_prompt: 'a lighthouse', steps: 4, width: 64, height: 64 } };
type Key = { id: string; key: string; secret: string; permissions: string[] };
const headersOf = (k: Key, secret = k.secret) => ({ 'x-api-key': k.key, 'x-api-secret': secret });
/** The stable error code: `error` on /api/v1, `code` on /api/v2 (whose `error` is the sentence). */
const codeOf = (body: { error: string; code?: string }) => body.code ?? body.error;

describe('API key authentication and permissions', () => {
  let sq: TestEngine;
  const createKey = async (name: string, permissions: string[], extra: Record<string, unknown> = {}): Promise<Key> => {
    const res = await api(sq.url, 'POST', '/api/v1/api-keys', { name, permissions, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    sq = await startTestEngine({ corsOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'] });
    // Jobs stay pending: no servers, and the queue is paused.
    await api(sq.url, 'POST', '/api/v1/queue/pause');
  });
  afterAll(async () => sq.stop());

  it('the auth matrix on POST /api/v2/generate and GET /api/v1/queue/jobs', async () => {
    const good = await createKey('forge extension', ['submit', 'read']);
    const disabled = await createKey('disabled', ['submit', 'read']);
    const deleted = await createKey('deleted', ['submit', 'read']);
    const readOnly = await createKey('reader', ['read']);
    const submitOnly = await createKey('submitter', ['submit']);
    expect((await api(sq.url, 'PUT', `/api/v1/api-keys/${disabled.id}`, { is_active: false })).body.is_active).toBe(false);
    expect((await api(sq.url, 'DELETE', `/api/v1/api-keys/${deleted.id}`)).status).toBe(200);

    const v2 = (headers: Record<string, string>) => api(sq.url, 'POST', '/api/v2/generate', JOB, headers);
    const read = (headers: Record<string, string>) => api(sq.url, 'GET', '/api/v1/queue/jobs', undefined, headers);

    // no key: v2 always needs one (the UI path does not apply to v2)
    const none = await v2({});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'api_key_required' });
    expect(none.body.message).toMatch(/X-API-Key/);
    // wrong secret
    for (const res of [await v2(headersOf(good, 'wrong-secret')), await read(headersOf(good, 'wrong-secret'))]) {
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe('invalid_api_key');
      expect(res.body.message).toMatch(/wrong|deleted/);
    }
    // disabled key (its real secret): 401, because it authenticates no one while disabled
    for (const res of [await v2(headersOf(disabled)), await read(headersOf(disabled))]) {
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe('api_key_disabled');
    }
    // deleted key
    for (const res of [await v2(headersOf(deleted)), await read(headersOf(deleted))]) {
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe('invalid_api_key');
    }
    // missing permission
    const noSubmit = await v2(headersOf(readOnly));
    expect(noSubmit.status).toBe(403);
    expect(noSubmit.body).toMatchObject({ code: 'permission_denied' });
    expect(noSubmit.body.message).toMatch(/"submit"/);
    expect((await read(headersOf(submitOnly))).status).toBe(403);
    // a good key works on v2, and the job records it
    const ok = await v2(headersOf(good));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ success: true });
    const id = ok.body.mobilesd_job_id;
    const row = sq.engine.db.prepare('SELECT api_key_id, source_info FROM jobs WHERE mobilesd_job_id = ?').get(id) as any;
    expect(row).toEqual({ api_key_id: good.id, source_info: 'api_v2' });
    expect((await read(headersOf(good))).status).toBe(200);
    const status = await api(sq.url, 'GET', `/api/v1/queue/jobs/${id}/status`, undefined, headersOf(readOnly));
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('pending');
    // re-enabling the disabled key brings it back
    await api(sq.url, 'PUT', `/api/v1/api-keys/${disabled.id}`, { is_active: true });
    expect((await v2(headersOf(disabled))).status).toBe(200);
  });

  it('accepts Authorization: Bearer <key>.<secret>; a key never falls back to the UI path', async () => {
    const k = await createKey('bearer', ['submit', 'read']);
    const ok = await api(sq.url, 'POST', '/api/v2/generate', { ...JOB, source_info: 'my_script' }, { authorization: `Bearer ${k.key}.${k.secret}` });
    expect(ok.status).toBe(200);
    const row = sq.engine.db.prepare('SELECT api_key_id, source_info FROM jobs WHERE mobilesd_job_id = ?').get(ok.body.mobilesd_job_id) as any;
    expect(row).toEqual({ api_key_id: k.id, source_info: 'my_script' });
    // From loopback, without a key these are admin (the UI); with a non-admin key they are not.
    for (const [method, path] of [['GET', '/api/v1/settings'], ['GET', '/api/v1/api-keys'], ['POST', '/api/v1/queue/pause'], ['PUT', '/api/v1/settings/civitai-token']] as const) {
      const res = await api(sq.url, method, path, method === 'PUT' ? { token: 'x' } : undefined, { authorization: `Bearer ${k.key}.${k.secret}` });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // A job without a key records no key; naming no source, it is labelled 'api' (the UI names itself 'web_ui').
    const ui = await api(sq.url, 'POST', '/api/v1/generate', JOB);
    expect(ui.status).toBe(202);
    expect((sq.engine.db.prepare('SELECT api_key_id, source_info FROM jobs WHERE mobilesd_job_id = ?').get(ui.body.mobilesd_job_id) as any))
      .toEqual({ api_key_id: null, source_info: 'api' });
  });

  it('an admin key can do everything, including managing keys', async () => {
    const admin = await createKey('admin', ['admin']);
    const h = headersOf(admin);
    expect((await api(sq.url, 'GET', '/api/v1/settings', undefined, h)).status).toBe(200);
    const made = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'made by admin key' }, h);
    expect(made.status).toBe(201);
    expect(made.body.permissions).toEqual(['submit', 'read']);
    expect((await api(sq.url, 'DELETE', `/api/v1/api-keys/${made.body.id}`, undefined, h)).status).toBe(200);
  });

  it('shows the secret once: creation answers it, no later read does, the DB holds only its hash', async () => {
    const k = await createKey('once', ['read']);
    expect(k.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(k.key).toMatch(/^sq_[0-9a-f]{16}$/);
    const list = await api(sq.url, 'GET', '/api/v1/api-keys');
    const one = await api(sq.url, 'GET', `/api/v1/api-keys/${k.id}`);
    const put = await api(sq.url, 'PUT', `/api/v1/api-keys/${k.id}`, { name: 'renamed' });
    for (const res of [list, one, put]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(k.secret);
      expect(JSON.stringify(res.body)).not.toMatch(/secret/);
    }
    expect(one.body).toMatchObject({ id: k.id, key: k.key, name: 'once', permissions: ['read'], is_active: true });
    expect(put.body.name).toBe('renamed');
    const row = sq.engine.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(k.id) as any;
    expect(JSON.stringify(row)).not.toContain(k.secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates key management input', async () => {
    expect((await api(sq.url, 'POST', '/api/v1/api-keys', { name: '' })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'x', permissions: ['root'] })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'x', permissions: [] })).status).toBe(400);
    expect((await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'x', secret: 'mine' })).status).toBe(400);
    expect((await api(sq.url, 'PUT', '/api/v1/api-keys/00000000-0000-4000-8000-000000000000', { name: 'y' })).status).toBe(404);
    expect((await api(sq.url, 'DELETE', '/api/v1/api-keys/not-a-uuid')).status).toBe(400);
  });

  it('records last_used', async () => {
    const k = await createKey('used', ['read']);
    expect((await api(sq.url, 'GET', `/api/v1/api-keys/${k.id}`)).body.last_used).toBeNull();
    await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(k));
    expect((await api(sq.url, 'GET', `/api/v1/api-keys/${k.id}`)).body.last_used).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('a burst past the per-key limit gets 429 with Retry-After; other keys are unaffected', async () => {
    const k = await createKey('limited', ['read'], { rate_limit_per_minute: 5 });
    const statuses: number[] = [];
    let limited: { status: number; body: any; headers: Headers } | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(k));
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(limited!.body.error).toBe('rate_limited');
    const retryAfter = Number(limited!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(12);
    const other = await createKey('unlimited', ['read']);
    expect((await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(other))).status).toBe(200);
    // The UI is not rate limited by keys.
    expect((await api(sq.url, 'GET', '/api/v1/queue/state')).status).toBe(200);
  });

  it('a key without admin cancels and removes only its own jobs', async () => {
    const a = await createKey('a', ['submit', 'read']);
    const b = await createKey('b', ['submit', 'read']);
    const jobA = (await api(sq.url, 'POST', '/api/v2/generate', JOB, headersOf(a))).body.mobilesd_job_id;
    const jobUi = (await api(sq.url, 'POST', '/api/v1/generate', JOB)).body.mobilesd_job_id;
    for (const id of [jobA, jobUi]) {
      const res = await api(sq.url, 'POST', `/api/v1/queue/jobs/${id}/cancel`, undefined, headersOf(b));
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('not_your_job');
      expect((await api(sq.url, 'DELETE', `/api/v1/queue/jobs/${id}`, undefined, headersOf(b))).status).toBe(403);
    }
    const cancelled = await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/cancel`, undefined, headersOf(a));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await api(sq.url, 'DELETE', `/api/v1/queue/jobs/${jobA}`, undefined, headersOf(a))).status).toBe(200);
    // Retry and move: own jobs too; another key's job is refused.
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/retry`, undefined, headersOf(b))).body.error).toBe('not_your_job');
    const retried = await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/retry`, undefined, headersOf(a));
    expect([retried.status, retried.body.status]).toEqual([200, 'pending']);
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/reorder`, { to: 'top' }, headersOf(b))).body.error).toBe('not_your_job');
    expect((await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/reorder`, { to: 'top' }, headersOf(a))).status).toBe(200);
    // Changing priority or pausing the queue stays admin-only.
    expect((await api(sq.url, 'PUT', `/api/v1/queue/jobs/${jobA}/priority`, { priority: 9 }, headersOf(a))).status).toBe(403);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${jobA}/cancel`, undefined, headersOf(a));
  });

  it('caps unfinished jobs per key: 429 queue_depth_exceeded', async () => {
    const k = await createKey('deep', ['submit', 'read'], { max_queue_depth: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(sq.url, 'POST', '/api/v2/generate', JOB, headersOf(k));
      expect(res.status).toBe(200);
      ids.push(res.body.mobilesd_job_id);
    }
    const over = await api(sq.url, 'POST', '/api/v2/generate', JOB, headersOf(k));
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('queue_depth_exceeded');
    expect((await api(sq.url, 'POST', '/api/v1/generate', JOB, headersOf(k))).status).toBe(429);
    await api(sq.url, 'POST', `/api/v1/queue/jobs/${ids[0]}/cancel`, undefined, headersOf(k));
    expect((await api(sq.url, 'POST', '/api/v2/generate', JOB, headersOf(k))).status).toBe(200);
  });

  it('CORS: only for key requests from configured origins, never a wildcard', async () => {
    const ext = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const k = await createKey('cors', ['submit', 'read']);
    const pre = await rawRequest(sq.url, 'OPTIONS', '/api/v2/generate', {
      headers: { origin: ext, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,x-api-secret,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ext);
    expect(pre.headers['access-control-allow-headers']).toMatch(/X-API-Key/);
    expect(pre.headers['access-control-allow-credentials']).toBeUndefined();
    const evilPre = await rawRequest(sq.url, 'OPTIONS', '/api/v2/generate', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evilPre.status).toBe(403);
    expect(evilPre.headers['access-control-allow-origin']).toBeUndefined();

    const post = await rawJson(sq.url, 'POST', '/api/v2/generate', JOB, { origin: ext, ...headersOf(k) });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(ext);
    expect(post.headers.vary).toMatch(/Origin/i);
    // Configured origin without a key: no CORS, and a state change is refused.
    const noKey = await rawJson(sq.url, 'POST', '/api/v1/generate', JOB, { origin: ext });
    expect(noKey.status).toBe(403);
    expect(noKey.headers['access-control-allow-origin']).toBeUndefined();
    // Key from an origin that is not configured: refused for state changes.
    const foreign = await rawJson(sq.url, 'POST', '/api/v2/generate', JOB, { origin: 'https://evil.example', ...headersOf(k) });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('origin_not_allowed');
    // No response ever carries a wildcard.
    for (const res of [pre, evilPre, post, noKey, foreign]) expect(res.headers['access-control-allow-origin']).not.toBe('*');
  });

  it('backs off after repeated failed key checks from one address: 429 with Retry-After, even for a right key', async () => {
    const k = await createKey('victim', ['read']);
    // A successful check clears the address's record, so the count starts here.
    expect((await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(k))).status).toBe(200);
    const statuses: number[] = [];
    let last: { status: number; body: any; headers: Headers } | null = null;
    for (let i = 0; i < 13; i++) {
      last = await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(k, `guess-${i}`));
      statuses.push(last.status);
    }
    // 10 failures are free; the 11th starts a wait (1 s, doubling), during which nothing is checked.
    expect(statuses).toEqual([...Array(11).fill(401), 429, 429]);
    expect(last!.body.error).toBe('too_many_failed_attempts');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // While blocked, even the right secret is not checked.
    expect((await api(sq.url, 'GET', '/api/v1/queue/state', undefined, headersOf(k))).status).toBe(429);
    // The UI path is not a credential check and stays usable.
    expect((await api(sq.url, 'GET', '/api/v1/queue/state')).status).toBe(200);
  });
});
