import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/engine/logger.ts';
import { RecentLogs } from '../../../electron/engine/ops/recent-logs.ts';
import type { ForgeEmulator } from '../../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { addForgeServers } from '../../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../../helpers/http.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

type Family = { name: string; type: string; metrics: { value?: string; labels?: Record<string, string>; count?: string; buckets?: Record<string, string> }[] };

/** Scrapes /metrics and parses it with an independent Prometheus text parser. */
async function scrape(url: string, headers: Record<string, string>): Promise<Map<string, Family>> {
  const res = await fetch(`${url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await res.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

const families = (all: Map<string, Family>, name: string) => all.get(name)?.type;

const sample = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number => {
  const family = families.get(name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(found?.value ?? 0);
};

/** Observations in a histogram (its +Inf bucket); this parser drops a histogram's labels, so the test keeps one series. */
const observations = (families: Map<string, Family>, name: string): number =>
  (families.get(name)?.metrics ?? []).reduce((n, m) => n + Number(m.buckets?.['+Inf'] ?? 0), 0);

describe('metrics and diagnostics', () => {
  const recentLogs = new RecentLogs();
  const logger = createLogger({ level: 'info', destination: fs.createWriteStream('/dev/null'), recent: recentLogs });
  let sq: TestEngine;
  let forge: ForgeEmulator[];
  let readKey: Record<string, string>;

  beforeAll(async () => {
    sq = await startTestEngine({ logger, recentLogs, maxAttempts: 1, retryBaseDelayMs: 10 });
    forge = await addForgeServers(sq.url, 1);
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body[0]?.status === 'online', { what: 'server online' });
    const key = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'prometheus', permissions: ['read'] });
    expect(key.status).toBe(201);
    readKey = { authorization: `Bearer ${key.body.key}.${key.body.secret}` };
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forge.map((f) => f.close()));
  });

  it('/metrics is guarded like the API: a read key may scrape, a submit-only or wrong key may not', async () => {
    const submit = await api(sq.url, 'POST', '/api/v1/api-keys', { name: 'submitter', permissions: ['submit'] });
    const denied = await fetch(`${sq.url}/metrics`, { headers: { authorization: `Bearer ${submit.body.key}.${submit.body.secret}` } });
    expect(denied.status).toBe(403);
    const wrong = await fetch(`${sq.url}/metrics`, { headers: { authorization: `Bearer ${submit.body.key}.not-the-secret` } });
    expect(wrong.status).toBe(401);
    const foreign = await fetch(`${sq.url}/metrics`, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(foreign.status).toBe(403);
  });

  it('parses as Prometheus text, and its counters and histograms move as jobs run', async () => {
    const before = await scrape(sq.url, readKey);
    for (const name of ['stablequeue_jobs', 'stablequeue_queue_depth', 'stablequeue_jobs_started_total', 'stablequeue_jobs_finished_total',
      'stablequeue_jobs_failed_total', 'stablequeue_job_duration_seconds', 'stablequeue_idle_gap_seconds', 'stablequeue_server_up',
      'stablequeue_download_bytes_total', 'stablequeue_nodejs_eventloop_lag_seconds']) {
      expect(before.has(name), name).toBe(true);
    }
    expect(sample(before, 'stablequeue_server_up', { server: 'f1', app_type: 'forge' })).toBe(1);
    const started0 = sample(before, 'stablequeue_jobs_started_total', { server: 'f1' });

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: `m${i}`, steps: 2, width: 64, height: 64 } })).body.mobilesd_job_id);
    }
    await waitForJobs(sq.url, ids);
    forge[0].setFault({ kind: '500', error: 'RuntimeError', message: 'boom' });
    const failing = (await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'f1', generation_params: { positive_prompt: 'fails', steps: 2 } })).body.mobilesd_job_id;
    expect((await waitForJobs(sq.url, [failing]))[0].status).toBe('failed');

    const after = await scrape(sq.url, readKey);
    expect(sample(after, 'stablequeue_jobs_started_total', { server: 'f1', app_type: 'forge' })).toBe(started0 + 4);
    expect(sample(after, 'stablequeue_jobs_finished_total', { server: 'f1', status: 'completed' })).toBe(3);
    expect(sample(after, 'stablequeue_jobs_finished_total', { server: 'f1', status: 'failed' })).toBe(1);
    expect(sample(after, 'stablequeue_jobs_failed_total', { server: 'f1' })).toBe(1);
    expect(observations(after, 'stablequeue_job_duration_seconds')).toBe(3);
    expect(families(after, 'stablequeue_job_duration_seconds')).toBe('HISTOGRAM');
    expect(sample(after, 'stablequeue_jobs', { status: 'completed' })).toBe(3);
    expect(sample(after, 'stablequeue_jobs', { status: 'failed' })).toBe(1);
    expect(sample(after, 'stablequeue_queue_depth')).toBe(0);
  });

  it('the diagnostics zip holds versions, settings, servers, logs, integrity and disk space, and none of the planted secrets', async () => {
    const secrets = {
      civitai: 'civ-TOKEN-4f9a1c77e2',
      password: 'hunter2-PASSWORD-9z8y',
      bearer: 'sk_live_BEARER_55aa66bb',
      apiSecret: 'APISECRET-unknown-1234',
      urlPassword: 'URLPASS-777',
      query: 'QUERYTOKEN-abc999',
    };
    expect((await api(sq.url, 'PUT', '/api/v1/settings/civitai-token', { token: secrets.civitai })).status).toBeLessThan(300);
    const withPassword = await api(sq.url, 'POST', '/api/v1/servers', { alias: 'locked', app_type: 'forge', api_url: forge[0].url, username: 'me', password: secrets.password });
    expect(withPassword.status).toBe(201);
    // Secrets reaching the log the ways they leak in practice: in free text, headers, URLs and JSON fields.
    logger.warn(`connecting to ${forge[0].url} as me:${secrets.password} with civitai ${secrets.civitai}`);
    logger.warn({ request: { headers: { 'x-api-secret': secrets.apiSecret } }, note: `Authorization: Bearer ${secrets.bearer}` }, 'client request');
    logger.info(`fetching http://user:${secrets.urlPassword}@models.example/x?token=${secrets.query}`);
    logger.info({ body: `{"api_secret":"${secrets.apiSecret}"}` }, 'raw body');

    const res = await fetch(`${sq.url}/api/v1/diagnostics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="stablequeue-diagnostics-.*\.zip"/);
    const tmp = makeTempDir('sq-diag-');
    try {
      const zipFile = path.join(tmp.dir, 'd.zip');
      fs.writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
      execFileSync('unzip', ['-q', zipFile, '-d', path.join(tmp.dir, 'out')]);
      const out = path.join(tmp.dir, 'out');
      const files = fs.readdirSync(out, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(out, f)).isFile()).sort();
      expect(files).toEqual(['backups.json', 'database.json', 'disk.json', 'logs/recent.log', 'queue.json', 'recovery.json', 'servers.json', 'settings.json', 'versions.json']);
      const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
      for (const file of files) {
        for (const [what, secret] of Object.entries(secrets)) expect(read(file), `${what} in ${file}`).not.toContain(secret);
      }
      // The raw zip bytes too (entry names, comments).
      const raw = fs.readFileSync(zipFile).toString('latin1');
      for (const secret of Object.values(secrets)) expect(raw).not.toContain(secret);

      expect(JSON.parse(read('database.json')).integrity_check).toBe('ok');
      expect(JSON.parse(read('versions.json')).node).toBe(process.versions.node);
      expect(JSON.parse(read('servers.json')).map((s: any) => s.alias).sort()).toEqual(['f1', 'locked']);
      expect(JSON.parse(read('disk.json'))[0].free_bytes).toBeGreaterThan(0);
      const log = read('logs/recent.log');
      expect(log).toContain('client request');
      expect(log).toContain('[redacted]');
    } finally {
      tmp.cleanup();
    }
  });
});
