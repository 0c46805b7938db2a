/**
 * The server form's Test button: POST /api/v1/servers/test tries a connection that is not
 * saved, with the same URL guard as a saved server, and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForgeEmulator, type ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';

describe('POST /api/v1/servers/test (unsaved connection)', () => {
  let sq: TestEngine;
  let forge: ForgeEmulator;
  beforeAll(async () => {
    forge = await createForgeEmulator({ stepMs: 5, auth: { username: 'u', password: 'p' } });
    sq = await startTestEngine();
  }, 90_000);
  afterAll(async () => {
    await sq?.stop();
    await forge?.close();
  });

  it('connects with the right credentials, reports why with wrong ones, and saves nothing', async () => {
    const ok = await api(sq.url, 'POST', '/api/v1/servers/test', { app_type: 'forge', api_url: forge.url, username: 'u', password: 'p' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, status: 'online', version: 'forge' });
    expect(ok.body.latency_ms).toBeTypeOf('number');

    const wrong = await api(sq.url, 'POST', '/api/v1/servers/test', { app_type: 'forge', api_url: forge.url, username: 'u', password: 'nope' });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ ok: false, status: 'offline' });
    expect(wrong.body.message).toMatch(/401|auth|password|credential/i);

    expect((await api(sq.url, 'GET', '/api/v1/servers')).body).toEqual([]);
  });

  it('completes a URL without a scheme and reports an unreachable one as offline', async () => {
    const bare = await api(sq.url, 'POST', '/api/v1/servers/test', { app_type: 'forge', api_url: forge.url.replace('http://', ''), username: 'u', password: 'p' });
    expect(bare.status).toBe(200);
    expect(bare.body.ok).toBe(true);
    const down = await api(sq.url, 'POST', '/api/v1/servers/test', { app_type: 'forge', api_url: 'http://127.0.0.1:9' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ ok: false, status: 'offline' });
  });

  it.each([
    [{ app_type: 'forge', api_url: 'http://169.254.169.254/' }, 'invalid_server_url'],
    [{ app_type: 'forge', api_url: 'file:///etc/passwd' }, 'invalid_server_url'],
    [{ app_type: 'nope', api_url: 'http://127.0.0.1:7860' }, 'validation_error'],
    [{ app_type: 'forge' }, 'validation_error'],
    [{ app_type: 'forge', api_url: `http://${'a'.repeat(3000)}` }, 'validation_error'],
    [{ app_type: 'forge', api_url: 'http://127.0.0.1:7860', alias: 'extra' }, 'validation_error'],
  ])('refuses %j with 400 %s', async (body, code) => {
    const res = await api(sq.url, 'POST', '/api/v1/servers/test', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
  });
});
