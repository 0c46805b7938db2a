/**
 * A1111_COMPAT_PORT / COMFYUI_COMPAT_PORT: the facades on ports of their own, without the
 * path prefix, for clients whose base URL is only host and port. Same routes, same policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { freePort } from '../helpers/headless-process.ts';
import { api } from '../helpers/http.ts';

describe('the facades on their own ports', () => {
  let sq: TestEngine;
  let a1111: string;
  let comfy: string;

  beforeAll(async () => {
    const [a1111Port, comfyPort] = [await freePort(), await freePort()];
    sq = await startTestEngine({ a1111CompatPort: a1111Port, comfyuiCompatPort: comfyPort, logger: (await import('pino')).default({ level: 'error' }, (await import('pino')).default.destination(2)) });
    a1111 = `http://127.0.0.1:${a1111Port}`;
    comfy = `http://127.0.0.1:${comfyPort}`;
  });
  afterAll(async () => sq.stop());

  it('answers A1111 and ComfyUI routes at the root of their ports, with the same request policy', async () => {
    expect((await api(a1111, 'GET', '/sdapi/v1/sd-models')).body).toEqual([]);
    expect((await api(a1111, 'GET', '/sdapi/v1/progress')).body).toMatchObject({ progress: 0, state: { job_count: 0 } });
    expect((await api(comfy, 'GET', '/prompt')).body).toEqual({ exec_info: { queue_remaining: 0 } });
    expect((await api(comfy, 'GET', '/api/queue')).body).toEqual({ queue_running: [], queue_pending: [] });
    const wrong = await api(a1111, 'POST', '/sdapi/v1/txt2img', { prompt: 'x' }, { authorization: `Basic ${Buffer.from('sq_0000000000000000:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('HTTPException');
    expect((await api(comfy, 'POST', '/prompt', { prompt: {} }, { origin: 'http://evil.example' })).status).toBe(403);
    // The main port's own routes are not reachable through a facade port.
    expect((await api(a1111, 'GET', '/api/v1/servers')).status).toBe(404);

    const ws = new WebSocket(`${comfy.replace(/^http/, 'ws')}/ws?clientId=own-port`);
    const first = await new Promise<any>((resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data))));
      ws.once('error', reject);
    });
    ws.close();
    expect(first).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'own-port' } });
  });
});
