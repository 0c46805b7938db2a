/**
 * The Docker image's entry, outside Docker: `node electron/headless.ts` started with the
 * image's variables (HOST, PORT, CONFIG_DATA_PATH, STABLE_DIFFUSION_SAVE_PATH,
 * CHECKPOINT_PATH, LORA_PATH) serves the UI and passes scripts/healthcheck.mjs, which
 * fails once the server is gone.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HEALTHCHECK = path.join(ROOT, 'scripts', 'healthcheck.mjs');
const UI_INDEX = path.join(ROOT, 'dist', 'renderer', 'index.html');
const run = promisify(execFile);

/** Runs the healthcheck as Docker would (the container's env), and returns its exit code. */
async function healthcheck(env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HEALTHCHECK], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/**
 * The shared helper, with the variables the image sets; the ones it must not inherit from
 * the developer's shell are blanked (the entry treats empty as unset).
 */
function startWithImageVars(vars: Record<string, string>): Promise<HeadlessProcess> {
  return startHeadless({ NODE_ENV: 'production', STABLEQUEUE_DATA_DIR: '', STABLEQUEUE_PASSWORD: '', STABLEQUEUE_UI_DIR: '', ...vars });
}

async function ensureUiBuilt(): Promise<void> {
  if (fs.existsSync(UI_INDEX)) return;
  // `npm test` builds the UI first; a lone run of this file builds it here.
  await run(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, timeout: 120_000 });
}

describe('headless entry with the Docker image variables', () => {
  let tmp: string;
  let port: number;
  let server: HeadlessProcess | null = null;
  const dirs = { config: '', outputs: '', checkpoints: '', loras: '' };

  beforeAll(async () => {
    await ensureUiBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-docker-entry-'));
    dirs.config = path.join(tmp, 'config');
    dirs.outputs = path.join(tmp, 'outputs');
    dirs.checkpoints = path.join(tmp, 'models', 'checkpoints');
    dirs.loras = path.join(tmp, 'models', 'loras');
    fs.mkdirSync(dirs.checkpoints, { recursive: true });
    fs.mkdirSync(dirs.loras, { recursive: true });
    server = await startWithImageVars({
      HOST: '127.0.0.1', // the image says 0.0.0.0; a test keeps to loopback
      CONFIG_DATA_PATH: dirs.config,
      STABLE_DIFFUSION_SAVE_PATH: dirs.outputs,
      CHECKPOINT_PATH: dirs.checkpoints,
      LORA_PATH: dirs.loras,
    });
    port = server.port;
  }, 180_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.kill9();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the built UI at /', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toBe(fs.readFileSync(UI_INDEX, 'utf8'));
    expect(html).toContain('<div id="app">');
    // A client-side route gets the same page.
    const deep = await fetch(`http://127.0.0.1:${port}/queue`);
    expect(await deep.text()).toBe(html);
  });

  it('answers the health endpoint with ok: true', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('keeps its data in CONFIG_DATA_PATH and creates STABLE_DIFFUSION_SAVE_PATH', () => {
    const files = fs.readdirSync(dirs.config);
    expect(files.some((file) => file.endsWith('.db')), files.join(', ')).toBe(true);
    expect(fs.statSync(dirs.outputs).isDirectory()).toBe(true);
  });

  it('passes the healthcheck script, with the image HOST=0.0.0.0 mapped to loopback', async () => {
    const result = await healthcheck({ PORT: String(port), HOST: '0.0.0.0' });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('healthy');
    expect((await healthcheck({ PORT: String(port) })).code).toBe(0);
  });

  it('stops cleanly on SIGTERM, after which the healthcheck fails', async () => {
    expect(await server!.terminate(), server!.output()).toBe(0);
    const result = await healthcheck({ PORT: String(port), HOST: '0.0.0.0', HEALTHCHECK_TIMEOUT_MS: '3000' });
    expect(result.code).toBe(1);
    expect(result.out).toContain('unhealthy');
  }, 60_000);
});

describe('with STABLEQUEUE_PASSWORD set (the Unraid template asks for one)', () => {
  it('the health endpoint stays open, so the Docker healthcheck still passes', async () => {
    await ensureUiBuilt();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sq-docker-pw-'));
    const server = await startWithImageVars({
      HOST: '127.0.0.1',
      CONFIG_DATA_PATH: path.join(tmp, 'config'),
      STABLE_DIFFUSION_SAVE_PATH: path.join(tmp, 'outputs'),
      STABLEQUEUE_PASSWORD: 'correct horse battery staple',
    });
    try {
      const result = await healthcheck({ PORT: String(server.port), HOST: '0.0.0.0' });
      expect(result.code, result.out).toBe(0);
    } finally {
      await server.terminate();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('healthcheck script', () => {
  async function fakeServer(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
  }

  it('fails on a non-200, on ok: false, on a non-JSON answer and on a server that hangs', async () => {
    const cases: Array<[string, http.RequestListener]> = [
      ['503', (_req, res) => { res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":true}'); }],
      ['ok false', (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false}'); }],
      ['not json', (_req, res) => { res.writeHead(200).end('<html>'); }],
      ['hangs', () => { /* never answers */ }],
    ];
    for (const [label, handler] of cases) {
      const server = await fakeServer(handler);
      const result = await healthcheck({ PORT: String(server.port), HEALTHCHECK_TIMEOUT_MS: '1500' });
      await server.close();
      expect(result.code, `${label}: ${result.out}`).toBe(1);
    }
  }, 30_000);

  it('succeeds on 200 {ok: true} and asks the right path', async () => {
    let asked = '';
    const server = await fakeServer((req, res) => {
      asked = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"version":"9.9.9"}');
    });
    const result = await healthcheck({ PORT: String(server.port), HOST: '::' });
    await server.close();
    expect(result.code, result.out).toBe(0);
    expect(asked).toBe('/api/v1/health');
    expect(result.out).toContain('9.9.9');
  });

  it('refuses a PORT that is not a port', async () => {
    expect((await healthcheck({ PORT: 'http' })).code).toBe(1);
  });
});
