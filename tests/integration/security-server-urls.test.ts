/**
 * SSRF guards on registered backends, through the HTTP API: other schemes and link-local /
 * metadata addresses are refused, and a backend's redirect is never followed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendHttp } from '../../electron/engine/backends/http-client.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';

async function listen(handler: http.RequestListener): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => { hits.push(`${req.method} ${req.url}`); handler(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('backend server URLs', () => {
  let sq: TestEngine;
  beforeAll(async () => { sq = await startTestEngine(); });
  afterAll(async () => sq.stop());

  it.each([
    'ftp://192.168.1.20/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'gopher://127.0.0.1/',
    'http://169.254.169.254', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]:7860', 'http://[::ffff:169.254.169.254]/',
    'http://2852039166/', 'http://[fd00:ec2::254]/', 'http://224.0.0.251:7860',
  ])('POST /api/v1/servers refuses %s with 400 invalid_server_url', async (apiUrl) => {
    const res = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'bad', app_type: 'forge', api_url: apiUrl });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_server_url');
    expect((await api(sq.url, 'GET', '/api/v1/servers')).body).toEqual([]);
  });

  it('PUT /api/v1/servers/:alias refuses a link-local URL too; loopback and LAN URLs are accepted', async () => {
    const created = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'lan', app_type: 'forge', api_url: 'http://192.168.200.200:7860', enabled: false });
    expect(created.status).toBe(201);
    const put = await api(sq.url, 'PUT', '/api/v1/servers/lan', { api_url: 'http://169.254.169.254:80' });
    expect(put.status).toBe(400);
    expect(put.body.error).toBe('invalid_server_url');
    expect((await api(sq.url, 'GET', '/api/v1/servers/lan')).body.api_url).toBe('http://192.168.200.200:7860');
    expect((await api(sq.url, 'DELETE', '/api/v1/servers/lan')).status).toBe(200);
  });

  it('a backend answering 302 to 169.254.169.254 (or anywhere) is not followed', async () => {
    const canary = await listen((_req, res) => res.end('{"followed": true}'));
    const redirecting = await listen((req, res) => {
      const to = req.url?.startsWith('/sdapi/v1/options') ? 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' : `${canary.url}${req.url}`;
      res.writeHead(302, { location: to }).end();
    });
    try {
      // The axios client every backend uses: the 302 comes back as it is.
      const client = createBackendHttp({ alias: 'r', appType: 'forge', apiUrl: redirecting.url, username: null, password: null });
      const direct = await client.get('/sdapi/v1/sd-models');
      expect(direct.status).toBe(302);
      expect(String(direct.headers.location)).toBe(`${canary.url}/sdapi/v1/sd-models`);
      const metadata = await client.get('/sdapi/v1/options', { timeout: 5_000 });
      expect(metadata.status).toBe(302);

      // And through the API: the health check and a resource listing fail, nothing follows.
      const created = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'redir', app_type: 'forge', api_url: redirecting.url });
      expect(created.status).toBe(201);
      const test = await api(sq.url, 'POST', '/api/v1/servers/redir/test');
      expect(test.status).toBe(200);
      expect(test.body.ok).toBe(false);
      const resources = await api(sq.url, 'GET', '/api/v1/servers/redir/resources/checkpoints');
      expect(resources.status).toBe(502);
      expect(JSON.stringify(resources.body)).not.toContain('followed');
      expect(redirecting.hits.length).toBeGreaterThan(0);
      expect(canary.hits).toEqual([]);
    } finally {
      await api(sq.url, 'DELETE', '/api/v1/servers/redir');
      await redirecting.close();
      await canary.close();
    }
  });
});
