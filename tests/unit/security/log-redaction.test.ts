import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/engine/logger.ts';

function memoryLogger() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: createLogger({ level: 'trace', destination: destination as never }), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('an AxiosError with Basic auth logged as err does not carry the password or the Authorization header', async () => {
    const server = http.createServer((req, res) => res.writeHead(500).end('nope'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const password = 'pw-9f8e7d6c5b4a';
    let error: unknown;
    try {
      await axios.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, { auth: { username: 'sd', password } });
    } catch (e) {
      error = e;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(axios.isAxiosError(error)).toBe(true);
    const { logger, text } = memoryLogger();
    logger.error({ err: error }, 'backend failed');
    logger.child({ dir: 'x' }).warn({ err: new Error('wrapped', { cause: error }) }, 'wrapped failure');
    const out = text();
    expect(out).toContain('Request failed with status code 500');
    expect(out).not.toContain(password);
    expect(out).not.toContain(Buffer.from(`sd:${password}`).toString('base64'));
  });

  it('censors secret-bearing fields and drops raw packets', () => {
    const { logger, text } = memoryLogger();
    const parseError = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_HEADER_TOKEN', rawPacket: Buffer.from('X-API-Secret: abc123') });
    logger.trace({ err: parseError }, 'client error');
    logger.info({
      password: 'p1', token: 't1', launchToken: 'l1', uiPassword: 'u1',
      headers: { authorization: 'Bearer sq_x.s1', cookie: 'sq_session=c1', 'x-api-secret': 's2', 'x-stablequeue-launch-token': 'l2' },
      server: { password: 'p2' },
    }, 'fields');
    const out = text();
    for (const secret of ['p1', 't1', 'l1', 'u1', 'sq_x.s1', 'c1', '"s2"', 'l2', 'p2', '[88,45,65']) expect(out).not.toContain(secret);
    expect(out).toContain('HPE_INVALID_HEADER_TOKEN');
    expect(out).toContain('[redacted]');
  });
});
