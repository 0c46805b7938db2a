/**
 * After a run that sets a Civitai token, a backend password, a UI password and creates
 * and uses API keys (through the HTTP API of a real engine with the headless FileSecretStore
 * and a pino logger at level trace writing to a file), none of the secrets appears in the
 * SQLite files or in the log: the bytes are searched.
 */
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../electron/engine/index.ts';
import { createLogger } from '../../electron/engine/logger.ts';
import { FileSecretStore } from '../../electron/engine/secrets/file-secret-store.ts';
import { api, waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const UI_PASSWORD = 'correct-horse-battery-staple-4242';
const BACKEND_PASSWORD = 'Backend-Passw0rd-7f3a9c';
const CIVITAI_TOKEN = 'civitai0123456789abcdef0123456789ab';

/** Every way a secret could be written: as is, in Basic auth, JSON-escaped, base64/hex encoded. */
function forms(secret: string, username?: string): string[] {
  const out = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
  if (username) out.push(Buffer.from(`${username}:${secret}`).toString('base64'));
  return out;
}

function found(bytes: Buffer, secret: string): boolean {
  return bytes.includes(Buffer.from(secret, 'utf8')) || bytes.includes(Buffer.from(secret, 'utf16le'));
}

/** Buffers serialized into JSON logs ({"type":"Buffer","data":[71,69,…]}), decoded back to bytes. */
function decodedJsonBuffers(text: string): Buffer {
  const found = [...text.matchAll(/"type":"Buffer","data":\[([0-9,]*)\]/g)].map((m) => Buffer.from(m[1].split(',').filter(Boolean).map(Number)));
  return Buffer.concat(found);
}

describe('secrets never reach SQLite or the log', () => {
  const tmp = makeTempDir('sq-secrets-');
  afterAll(() => tmp.cleanup());

  it('keys, passwords and tokens: present in the secret store file only', async () => {
    const logFile = path.join(tmp.dir, 'engine.log');
    const logger = createLogger({ level: 'trace', destination: pino.destination({ dest: logFile, sync: true }) });
    // A backend that wants Basic auth and then fails, so the engine logs errors about it.
    const seenAuth: string[] = [];
    const backend = http.createServer((req, res) => {
      seenAuth.push(String(req.headers.authorization));
      if (req.url?.includes('txt2img')) return req.socket.destroy();
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"boom"}');
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

    const engine = createEngine({
      dataDir: tmp.dir, port: 0, host: '127.0.0.1', uiDir: null, logger, uiPassword: UI_PASSWORD,
      secretStore: new FileSecretStore(path.join(tmp.dir, 'secrets.json'), {}),
      maxAttempts: 2, retryBaseDelayMs: 20, attemptDeadlineMs: 3_000, shutdownGraceMs: 200,
    } as never);
    const { url } = await engine.start();
    const keySecrets: string[] = [];
    let sessionCookie = '';
    let walDuringRun = Buffer.alloc(0);
    try {
      // Sign in with the UI password (a wrong one first).
      expect((await api(url, 'POST', '/api/v1/auth/login', { password: 'wrong-password' })).status).toBe(401);
      const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: UI_PASSWORD }) });
      expect(login.status).toBe(200);
      sessionCookie = /sq_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
      const ui = { cookie: `sq_session=${sessionCookie}` };

      expect((await api(url, 'PUT', '/api/v1/settings/civitai-token', { token: CIVITAI_TOKEN }, ui)).status).toBe(200);
      const server = await api(url, 'POST', '/api/v1/servers', { alias: 'gpu', app_type: 'forge', api_url: backendUrl, username: 'sd', password: BACKEND_PASSWORD }, ui);
      expect(server.status).toBe(201);
      expect(server.body.has_password).toBe(true);
      expect(JSON.stringify(server.body)).not.toContain(BACKEND_PASSWORD);
      expect(JSON.stringify((await api(url, 'GET', '/api/v1/servers', undefined, ui)).body)).not.toContain(BACKEND_PASSWORD);
      expect((await api(url, 'POST', '/api/v1/servers/gpu/test', undefined, ui)).status).toBe(200);
      await api(url, 'GET', '/api/v1/servers/gpu/resources/checkpoints', undefined, ui);

      for (let i = 0; i < 3; i++) {
        const key = await api(url, 'POST', '/api/v1/api-keys', { name: `key ${i}`, permissions: ['submit', 'read'] }, ui);
        expect(key.status).toBe(201);
        keySecrets.push(key.body.secret);
        expect((await api(url, 'GET', '/api/v1/queue/jobs', undefined, { 'x-api-key': key.body.key, 'x-api-secret': key.body.secret })).status).toBe(200);
        expect((await api(url, 'GET', '/api/v1/queue/jobs', undefined, { authorization: `Bearer ${key.body.key}.${key.body.secret}` })).status).toBe(200);
        // A wrong secret that is one character off, and the right secret on a wrong key id.
        expect((await api(url, 'GET', '/api/v1/queue/jobs', undefined, { 'x-api-key': key.body.key, 'x-api-secret': `${key.body.secret}!` })).status).toBe(401);
        expect((await api(url, 'GET', '/api/v1/queue/jobs', undefined, { 'x-api-key': 'sq_0000000000000000', 'x-api-secret': key.body.secret })).status).toBe(401);
      }
      // A job for that backend, submitted with a key.
      const job = await api(url, 'POST', '/api/v2/generate', { target_server_alias: 'gpu', generation_params: { positive_prompt: 'secret test', steps: 2 } },
        { authorization: `Bearer ${(await api(url, 'GET', '/api/v1/api-keys', undefined, ui)).body.keys[0].key}.${keySecrets[0]}` });
      expect(job.status).toBe(200);
      // The backend is seen as offline (its 500s): health checks keep going to it with Basic auth.
      const seen = seenAuth.length;
      await waitFor(() => seenAuth.length > seen, { timeoutMs: 30_000, what: 'another request to the backend' });
      // A request the HTTP parser rejects, carrying a secret in a header.
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(new URL(url).port), '127.0.0.1', () => {
          socket.end(`GET /api/v1/queue/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Secret: ${keySecrets[1]}\r\nBroken header line\r\n\r\n`);
        });
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      expect(seenAuth).toContain(`Basic ${Buffer.from(`sd:${BACKEND_PASSWORD}`).toString('base64')}`);
      const wal = path.join(tmp.dir, 'stablequeue.db-wal');
      if (fs.existsSync(wal)) walDuringRun = fs.readFileSync(wal);
    } finally {
      await engine.stop();
      logger.flush();
      await new Promise<void>((resolve) => { backend.closeAllConnections(); backend.close(() => resolve()); });
    }

    const secrets: Array<[string, string]> = [
      ...forms(UI_PASSWORD).map((s) => ['ui password', s] as [string, string]),
      ...forms(BACKEND_PASSWORD, 'sd').map((s) => ['backend password', s] as [string, string]),
      ...forms(CIVITAI_TOKEN).map((s) => ['civitai token', s] as [string, string]),
      ...forms(sessionCookie).map((s) => ['session cookie', s] as [string, string]),
      ...keySecrets.flatMap((k, i) => forms(k).map((s) => [`api key secret ${i}`, s] as [string, string])),
    ];
    const dbFiles = fs.readdirSync(tmp.dir).filter((f) => f.startsWith('stablequeue.db'));
    expect(dbFiles).toContain('stablequeue.db');
    const stores: Array<[string, Buffer]> = [
      ...dbFiles.map((f) => [f, fs.readFileSync(path.join(tmp.dir, f))] as [string, Buffer]),
      ['wal during the run', walDuringRun],
      ['log', fs.readFileSync(logFile)],
      ['buffers inside the log', decodedJsonBuffers(fs.readFileSync(logFile, 'utf8'))],
    ];
    const log = fs.readFileSync(logFile, 'utf8');
    // The log is real: trace level, with the events of this run in it.
    expect(log).toContain('API key created');
    expect(log).toContain('wrong password');
    expect(log).toMatch(/"level":10,.*HPE_INVALID_HEADER_TOKEN/);
    const leaks = stores.flatMap(([where, bytes]) => secrets.filter(([, s]) => found(bytes, s)).map(([what]) => `${what} in ${where}`));
    expect(leaks).toEqual([]);

    // Control: the search finds secrets where they are meant to be (the 0600 secret store file).
    const store = fs.readFileSync(path.join(tmp.dir, 'secrets.json'));
    expect(found(store, BACKEND_PASSWORD)).toBe(true);
    expect(found(store, CIVITAI_TOKEN)).toBe(true);
    expect(fs.statSync(path.join(tmp.dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});
