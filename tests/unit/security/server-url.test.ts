import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createGuardedLookup } from '../../../electron/engine/net/guarded-lookup.ts';
import { isForbiddenAddress, validateServerUrl } from '../../../electron/engine/net/server-url.ts';

const noDns = async () => [] as string[];

describe('server URL validation (SSRF)', () => {
  it.each([
    'ftp://192.168.1.20/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'gopher://127.0.0.1:70/',
    'ws://127.0.0.1:8188', 'http://user:pw@192.168.1.20:7860', 'http://192.168.1.20:7860/?x=1', 'not a url', '',
  ])('refuses %s', async (url) => {
    await expect(validateServerUrl(url, noDns)).rejects.toThrow();
  });

  it.each([
    'http://169.254.169.254/latest/meta-data', 'http://169.254.0.1:7860', 'http://[fe80::1]:7860', 'http://[fe80::1%25eth0]:7860',
    'http://2852039166/', 'http://0xA9FEA9FE/', 'http://0251.0376.0251.0376/', 'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/', 'http://[::a9fe:a9fe]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[fd00:ec2::254]/',
    'http://100.100.100.200/', 'http://224.0.0.1/', 'http://0.0.0.0:7860', 'http://[::]:7860', 'http://255.255.255.255/',
    '169.254.169.254', '169.254.169.254:80/latest/meta-data',
  ])('refuses the link-local, metadata or reserved address %s', async (url) => {
    await expect(validateServerUrl(url, noDns)).rejects.toThrow(/link-local|metadata|reserved|not a URL/);
  });

  it('refuses a hostname that resolves to a link-local address', async () => {
    await expect(validateServerUrl('http://metadata.google.internal/', async () => ['169.254.169.254'])).rejects.toThrow(/resolves to 169\.254\.169\.254/);
    await expect(validateServerUrl('http://sneaky.example/', async () => ['192.168.1.2', 'fe80::2'])).rejects.toThrow(/fe80::2/);
  });

  it.each([
    ['http://127.0.0.1:7860', 'http://127.0.0.1:7860'],
    ['http://localhost:8188/', 'http://localhost:8188'],
    ['https://192.168.1.20:7860/sd/', 'https://192.168.1.20:7860/sd'],
    ['http://[::1]:7860', 'http://[::1]:7860'],
    ['http://10.0.0.3', 'http://10.0.0.3'],
    ['  http://gpu-box.lan:7860  ', 'http://gpu-box.lan:7860'],
    // No scheme, as Forge and ComfyUI print their address: http:// is put in front.
    ['127.0.0.1:7860', 'http://127.0.0.1:7860'],
    ['localhost:8188/', 'http://localhost:8188'],
    [' gpu-box.lan:7860/sd ', 'http://gpu-box.lan:7860/sd'],
    ['192.168.1.20', 'http://192.168.1.20'],
  ])('accepts loopback and LAN %s', async (url, normalized) => {
    await expect(validateServerUrl(url, async () => ['192.168.1.30'])).resolves.toBe(normalized);
  });

  it('classifies addresses', () => {
    expect(isForbiddenAddress('169.254.169.254')).toBe(true);
    expect(isForbiddenAddress('::1')).toBe(false);
    expect(isForbiddenAddress('127.0.0.1')).toBe(false);
    expect(isForbiddenAddress('192.168.1.1')).toBe(false);
    expect(isForbiddenAddress('fd00::1')).toBe(false);
    expect(isForbiddenAddress('example.com')).toBe(false);
  });
});

describe('guarded DNS lookup (connect-time check)', () => {
  const fakeDns = (table: Record<string, string[]>) => ((host: string, _o: unknown, cb: (e: NodeJS.ErrnoException | null, a: { address: string; family: number }[]) => void) => {
    const list = table[host];
    if (!list) return cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    cb(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as never;

  it('refuses to connect when the name resolves to a metadata address, connects otherwise', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => { hits++; res.end('ok'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const lookup = createGuardedLookup(fakeDns({ 'rebound.test': ['169.254.169.254'], 'mixed.test': ['127.0.0.1', 'fe80::1'], 'fine.test': ['127.0.0.1'] }));
    const agent = new http.Agent({ lookup });
    const get = (host: string) => new Promise<string>((resolve, reject) => {
      http.get({ host, port, agent, path: '/' }, (res) => { res.resume(); res.on('end', () => resolve(String(res.statusCode))); }).on('error', reject);
    });
    try {
      await expect(get('rebound.test')).rejects.toMatchObject({ code: 'EFORBIDDENADDRESS' });
      await expect(get('mixed.test')).rejects.toMatchObject({ code: 'EFORBIDDENADDRESS' });
      await expect(get('nowhere.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      expect(hits).toBe(0);
      await expect(get('fine.test')).resolves.toBe('200');
      expect(hits).toBe(1);
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
