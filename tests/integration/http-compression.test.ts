/**
 * What goes over the wire on a real engine serving a UI folder: hashed assets and JSON
 * answers are compressed for a client elsewhere that accepts it (and plain for one that does
 * not, or one on this machine), hashed assets are cached for a year as immutable,
 * index.html is revalidated every time, and the event stream still delivers its first
 * event at once under Accept-Encoding. A client elsewhere is one behind a reverse proxy
 * here (the request carries X-Forwarded-For), since the test's engine listens on loopback.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { api } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { ROOT } from '../e2e/helpers/ui-env.ts';

/** A phone on the LAN, through a reverse proxy on this machine. */
const REMOTE: Record<string, string> = { 'x-forwarded-for': '192.168.1.20' };

interface RawAnswer { status: number; headers: http.IncomingHttpHeaders; wire: Buffer }

/** The answer's bytes exactly as sent (fetch would decompress them out of sight). */
function rawGet(url: string, acceptEncoding: string | null, headers: Record<string, string> = REMOTE): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { ...headers, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, wire: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function decoded(answer: RawAnswer): Buffer {
  switch (answer.headers['content-encoding']) {
    case 'br': return zlib.brotliDecompressSync(answer.wire);
    case 'gzip': return zlib.gunzipSync(answer.wire);
    default: return answer.wire;
  }
}

describe('HTTP compression and caching', { timeout: 60_000 }, () => {
  let sq: TestEngine;
  let ui: ReturnType<typeof makeTempDir>;
  /** Relayed by a proxy, the client is public: the API wants a key from it. */
  let remoteWithKey: Record<string, string>;
  const ASSET = '/assets/index-3f9a1c2b.js';
  // A real, readable bundle as the asset: compression ratios on made-up text would prove nothing.
  const assetBytes = fs.readFileSync(path.join(ROOT, 'node_modules/vue/dist/vue.esm-browser.prod.js'));

  beforeAll(async () => {
    ui = makeTempDir('sq-ui-dir-');
    fs.mkdirSync(path.join(ui.dir, 'assets'));
    fs.writeFileSync(path.join(ui.dir, 'assets', path.basename(ASSET)), assetBytes);
    fs.writeFileSync(path.join(ui.dir, 'index.html'), `<!doctype html><html><head><title>StableQueue</title>${'<link rel="modulepreload" href="/assets/chunk.js">\n'.repeat(40)}</head><body><div id="app"></div></body></html>`);
    sq = await startTestEngine({ uiDir: ui.dir });
    await api(sq.url, 'POST', '/api/v1/queue/pause');
    const key = (await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'phone', permissions: ['read'] })).body;
    remoteWithKey = { ...REMOTE, 'x-api-key': key.key, 'x-api-secret': key.secret };
    for (let i = 0; i < 40; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', generation_params: { positive_prompt: `a lighthouse in the fog, study ${i}`, width: 64, height: 64 } });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    }
  });
  afterAll(async () => {
    await sq?.stop();
    ui?.cleanup();
  });

  it('a hashed asset is sent brotli-compressed to 40 % of its size or less (a minified bundle), and cached for a year as immutable', async () => {
    const br = await rawGet(`${sq.url}${ASSET}`, 'gzip, deflate, br');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(decoded(br).equals(assetBytes)).toBe(true);
    expect(br.wire.length).toBeLessThan(assetBytes.length * 0.4);
    console.log(`[compression] asset ${assetBytes.length} B → ${br.wire.length} B brotli (${(100 * br.wire.length / assetBytes.length).toFixed(0)} %)`);

    const gzip = await rawGet(`${sq.url}${ASSET}`, 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip).equals(assetBytes)).toBe(true);
  });

  it('a client that accepts no encoding gets the plain bytes', async () => {
    const plain = await rawGet(`${sq.url}${ASSET}`, null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.wire.equals(assetBytes)).toBe(true);
  });

  it('index.html (and a client-side route) is compressed and revalidated on every load', async () => {
    for (const p of ['/', '/queue']) {
      const page = await rawGet(`${sq.url}${p}`, 'br');
      expect(page.status, p).toBe(200);
      expect(page.headers['cache-control'], p).toBe('no-cache');
      expect(page.headers['content-encoding'], p).toBe('br');
      expect(decoded(page).toString()).toContain('<div id="app">');
    }
  });

  it('a JSON job list is compressed, and decodes to the same answer', async () => {
    const listed = await rawGet(`${sq.url}/api/v1/queue/jobs?limit=100`, 'gzip, br', remoteWithKey);
    expect(listed.status).toBe(200);
    expect(listed.headers['content-encoding']).toBe('br');
    const body = JSON.parse(decoded(listed).toString());
    expect(body.jobs).toHaveLength(40);
    expect(listed.wire.length).toBeLessThan(decoded(listed).length / 4);
  });

  it('a client on this machine gets plain bytes: compressing for loopback only costs time', async () => {
    for (const p of [ASSET, '/api/v1/queue/jobs?limit=100']) {
      const local = await rawGet(`${sq.url}${p}`, 'gzip, deflate, br', {});
      expect(local.status, p).toBe(200);
      expect(local.headers['content-encoding'], p).toBeUndefined();
    }
    expect((await rawGet(`${sq.url}${ASSET}`, 'gzip, deflate, br', {})).wire.equals(assetBytes)).toBe(true);
  });

  it('the event stream is not held back by compression: its first event arrives at once', async () => {
    const first = await new Promise<{ encoding: string | undefined; text: string }>((resolve, reject) => {
      const req = http.get(`${sq.url}/api/v1/events`, { headers: { ...remoteWithKey, 'accept-encoding': 'gzip, br', accept: 'text/event-stream' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes('event: queue.state')) {
            resolve({ encoding: res.headers['content-encoding'], text });
            req.destroy();
          }
        });
      });
      req.on('error', (e) => (String(e).includes('socket hang up') ? undefined : reject(e)));
      setTimeout(() => reject(new Error('no first event within 3 s')), 3000);
    });
    expect(first.encoding).toBeUndefined();
    expect(first.text).toContain('"paused":true');
  });
});
