import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { api } from '../../helpers/http.ts';

describe('liveness and readiness', () => {
  let sq: TestEngine;
  beforeAll(async () => {
    sq = await startTestEngine();
  });
  afterAll(async () => {
    await sq.stop();
  });

  it('live and ready while the database answers, not live once it cannot', async () => {
    const health = await api(sq.url, 'GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ ok: true, live: true, ready: true, recovered: false, checks: { database: 'ok', disk: 'ok' } });
    expect((await api(sq.url, 'GET', '/api/v1/health/live')).status).toBe(200);
    expect((await api(sq.url, 'GET', '/api/v1/health/ready')).status).toBe(200);

    sq.engine.db.close(); // what a vanished or broken database file looks like from here
    const broken = await api(sq.url, 'GET', '/api/v1/health');
    expect(broken.status).toBe(200);
    expect(broken.body.ok).toBe(false); // the Docker healthcheck marks the container unhealthy
    expect(broken.body.checks.database).not.toBe('ok');
    expect((await api(sq.url, 'GET', '/api/v1/health/live')).status).toBe(503);
    expect((await api(sq.url, 'GET', '/api/v1/health/ready')).status).toBe(503);
  });
});
