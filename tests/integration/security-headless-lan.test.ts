/**
 * The headless server as a child process (`node electron/headless.ts`) bound to all
 * interfaces: the UI works without login from loopback and private addresses, never from
 * a public one without a password; with STABLEQUEUE_PASSWORD everyone signs in, gets an
 * HttpOnly SameSite=Strict cookie, and the SSE stream works with it.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyClientAddress } from '../../electron/engine/security/client-address.ts';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { rawJson, rawRequest } from '../unit/security/helpers/raw-http.ts';

const PASSWORD = 'lan-password-5be1c3';

/** This machine's non-loopback addresses: requests to them come from them. */
function ownAddresses(family: 'IPv4' | 'IPv6' | 'any'): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (family === 'any' || i.family === family) && !(i.family === 'IPv6' && i.scopeid))
    .map((i) => i.address);
}
const urlFor = (address: string, port: number) => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

describe('headless on a LAN without a password (HOST=::)', () => {
  let sq: HeadlessProcess;
  const data = makeTempDir('sq-lan-open-');
  beforeAll(async () => {
    sq = await startHeadless({ HOST: '::', STABLEQUEUE_DATA_DIR: data.dir, STABLEQUEUE_PASSWORD: '' });
  });
  afterAll(async () => {
    await sq.terminate();
    data.cleanup();
  });

  it('loopback is the UI (admin) without login', async () => {
    const res = await rawRequest(sq.url, 'GET', '/api/v1/settings');
    expect(res.status).toBe(200);
    const session = await rawRequest(sq.url, 'GET', '/api/v1/auth/session');
    expect(session.body).toMatchObject({ authenticated: true, password_required: false, method: 'local_network' });
  });

  it('from this machine\'s own addresses: private ones are the UI, public ones get 403 asking for a password', async () => {
    const addresses = ownAddresses('any');
    const seen: string[] = [];
    for (const address of addresses) {
      const base = urlFor(address, sq.port);
      const res = await rawRequest(base, 'GET', '/api/v1/queue/jobs');
      const where = classifyClientAddress(address);
      seen.push(`${address}=${where}:${res.status}`);
      if (where === 'public') {
        expect(res.status, address).toBe(403);
        expect(res.body.error).toBe('password_required');
        expect(res.body.message).toMatch(/STABLEQUEUE_PASSWORD/);
        // The static UI still loads there.
        expect((await rawRequest(base, 'GET', '/')).status).toBe(200);
      } else {
        expect(res.status, address).toBe(200);
      }
    }
    console.log(`own addresses: ${seen.join(', ') || 'none besides loopback'}`);
  });

  it('a proxied request counts as public; a foreign Host is refused', async () => {
    const proxied = await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { 'x-forwarded-for': '192.168.1.10' } });
    expect(proxied.status).toBe(403);
    expect(proxied.body.error).toBe('password_required');
    expect((await rawRequest(sq.url, 'GET', '/api/v1/health', { headers: { host: 'evil.example' } })).status).toBe(403);
    // Bound to all interfaces: private IP literals are fine as Host (a phone using the NAS's IP).
    expect((await rawRequest(sq.url, 'GET', '/api/v1/health', { headers: { host: `192.168.1.77:${sq.port}` } })).status).toBe(200);
  });
});

describe('headless on a LAN with STABLEQUEUE_PASSWORD (HOST=0.0.0.0)', () => {
  let sq: HeadlessProcess;
  const data = makeTempDir('sq-lan-pw-');
  beforeAll(async () => {
    sq = await startHeadless({ HOST: '0.0.0.0', STABLEQUEUE_DATA_DIR: data.dir, STABLEQUEUE_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await sq.terminate();
    data.cleanup();
  });

  it('the static UI and health load; the API needs a login, loopback included', async () => {
    expect((await rawRequest(sq.url, 'GET', '/')).status).toBe(200);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/health')).status).toBe(200);
    for (const base of [sq.url, ...ownAddresses('IPv4').map((a) => urlFor(a, sq.port))]) {
      const res = await rawRequest(base, 'GET', '/api/v1/queue/jobs');
      expect(res.status, base).toBe(401);
      expect(res.body.error).toBe('login_required');
    }
    const session = await rawRequest(sq.url, 'GET', '/api/v1/auth/session');
    expect(session.body).toMatchObject({ authenticated: false, password_required: true, method: null });
  });

  it('login sets an HttpOnly SameSite=Strict cookie that opens the API and the event stream; logout closes it', async () => {
    const wrong = await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_password');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    // Login CSRF: a foreign page cannot sign the browser in.
    expect((await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);

    const login = await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: PASSWORD });
    expect(login.status).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^sq_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    const cookie = setCookie.split(';')[0];

    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { cookie } })).status).toBe(200);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/auth/session', { headers: { cookie } })).body)
      .toMatchObject({ authenticated: true, password_required: true, method: 'session' });
    const job = await rawJson(sq.url, 'POST', '/api/v1/generate', { generation_params: { positive_prompt: 'lan' } }, { cookie, origin: `http://127.0.0.1:${sq.port}` });
    expect(job.status).toBe(202);
    const sse = await rawRequest(sq.url, 'GET', '/api/v1/events', { headers: { cookie, accept: 'text/event-stream' }, headersOnly: true });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/events', { headersOnly: true })).status).toBe(401);
    // A forged cookie is nothing.
    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { cookie: 'sq_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status).toBe(401);

    const logout = await rawRequest(sq.url, 'POST', '/api/v1/auth/logout', { headers: { cookie } });
    expect(logout.status).toBe(200);
    expect(String(logout.headers['set-cookie'])).toMatch(/sq_session=;/);
    expect((await rawRequest(sq.url, 'GET', '/api/v1/queue/jobs', { headers: { cookie } })).status).toBe(401);
  });

  it('wrong passwords back off: 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last = await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: 'x' });
    statuses.push(last.status);
    for (let i = 0; i < 12 && last.status !== 429; i++) {
      last = await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: `guess ${i}` });
      statuses.push(last.status);
    }
    expect(last.status).toBe(429);
    expect(last.body.error).toBe('too_many_failed_attempts');
    expect(Number(last.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    // Even the right password waits now.
    expect((await rawJson(sq.url, 'POST', '/api/v1/auth/login', { password: PASSWORD })).status).toBe(429);
  });
});
