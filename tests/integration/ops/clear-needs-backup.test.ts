import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { startEngineAt } from './engine-at.ts';

describe('"clear finished" without its backup', () => {
  const tmp = makeTempDir('sq-clear-backup-');
  const backupsDir = path.join(tmp.dir, 'backups');
  let sq: Awaited<ReturnType<typeof startEngineAt>>;
  let forge: ForgeEmulator[];

  beforeAll(async () => {
    sq = await startEngineAt(tmp.dir);
    forge = await addForgeServers(sq.url, 1);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
  });
  afterAll(async () => {
    await sq.engine.stop();
    await Promise.all(forge.map((f) => f.close()));
    tmp.cleanup();
  });

  it('refuses with a clear 503 and clears nothing when the pre-clear backup cannot be written; clears once it can', async () => {
    const id = (await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'kept', steps: 2, width: 64, height: 64 } })).body.mobilesd_job_id;
    expect((await waitForJobs(sq.url, [id]))[0].status).toBe('completed');
    // The backups folder is replaced by a file: no backup can be written there.
    fs.rmSync(backupsDir, { recursive: true, force: true });
    fs.writeFileSync(backupsDir, 'not a folder');

    const refused = await api(sq.url, 'POST', '/api/v1/queue/clear');
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('backup_failed');
    expect(refused.body.message).toMatch(/^Nothing was changed: the backup taken before this \(pre-clear\) failed/);
    expect(sq.engine.db.prepare('SELECT archived FROM jobs WHERE mobilesd_job_id = ?').pluck().get(id)).toBe(0);

    fs.rmSync(backupsDir);
    fs.mkdirSync(backupsDir);
    const cleared = await api(sq.url, 'POST', '/api/v1/queue/clear');
    expect(cleared.status).toBe(200);
    expect(cleared.body.cleared).toBe(1);
    expect(fs.readdirSync(backupsDir).some((n) => n.endsWith('-pre-clear.db'))).toBe(true);
  });
});
