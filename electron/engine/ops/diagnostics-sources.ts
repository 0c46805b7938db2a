import os from 'node:os';
import type { ApiContext } from '../api/context.ts';
import { SECRET_NAMES } from '../secrets/secret-store.ts';
import type { DiagnosticsEntry } from './diagnostics-bundle.ts';
import { checkOpenDatabase } from './sqlite-backup.ts';

/** Env variables whose values are secrets (the headless secret store reads STABLEQUEUE_SECRET_*). */
const SECRET_ENV = /^STABLEQUEUE_(SECRET_.+|PASSWORD|LAUNCH_TOKEN)$/;

/**
 * What goes into the diagnostics bundle: versions, settings, servers (no passwords; URLs
 * without user info), queue counts, the database's integrity check, disk space, backups,
 * start-up recovery, and the recent log lines. Secret values to scrub are gathered too.
 */
export async function gatherDiagnostics(ctx: ApiContext): Promise<{ entries: DiagnosticsEntry[]; secrets: string[] }> {
  const servers = ctx.serverStore.list();
  const secrets: string[] = [];
  for (const name of [SECRET_NAMES.civitaiToken, ...servers.map((s) => SECRET_NAMES.serverPassword(s.alias))]) {
    const value = await ctx.secrets.get(name).catch(() => null);
    if (value) secrets.push(value);
  }
  if (ctx.config.uiPassword) secrets.push(ctx.config.uiPassword);
  if (ctx.config.launchToken) secrets.push(ctx.config.launchToken);
  for (const [key, value] of Object.entries(process.env)) if (SECRET_ENV.test(key) && value) secrets.push(value);

  const started = Date.now();
  const integrity = checkOpenDatabase(ctx.db, 'full');
  const runtime = new Map(ctx.registry.all().map((s) => [s.row.alias, s]));
  const entries: DiagnosticsEntry[] = [
    {
      name: 'versions.json',
      content: {
        stablequeue: ctx.version, node: process.versions.node, electron: process.versions.electron ?? null,
        sqlite: ctx.db.prepare('SELECT sqlite_version() AS v').pluck().get(), schema_version: ctx.db.pragma('user_version', { simple: true }),
        platform: process.platform, arch: process.arch, os_release: os.release(), cpus: os.cpus().length,
        memory_bytes: os.totalmem(), uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
      },
    },
    {
      name: 'settings.json',
      content: {
        ...ctx.settings.all(), data_dir: ctx.config.dataDir, outputs_dir: ctx.config.outputsDir, host: ctx.config.host,
        port: ctx.config.port, checkpoint_path: ctx.config.checkpointPath, lora_path: ctx.config.loraPath,
        secret_store: ctx.secrets.kind, ui_password_set: Boolean(ctx.config.uiPassword), allowed_hosts: ctx.config.allowedHosts,
        cors_origins: ctx.config.corsOrigins,
      },
    },
    {
      name: 'servers.json',
      content: servers.map((s) => {
        const live = runtime.get(s.alias);
        return {
          alias: s.alias, app_type: s.app_type, api_url: withoutUserInfo(s.api_url), username_set: Boolean(s.username),
          max_concurrency: s.max_concurrency, enabled: Boolean(s.enabled), health: live?.health ?? null, message: live?.message ?? null,
          loaded_checkpoint: live?.loadedCheckpoint ?? null, running: live?.running ?? 0,
        };
      }),
    },
    { name: 'queue.json', content: { counts: ctx.jobs.counts(), paused: ctx.settings.get('queue_paused'), disk_full: ctx.ops.disk.blocked() } },
    {
      name: 'database.json',
      content: {
        integrity_check: integrity, checked_in_ms: Date.now() - started,
        page_count: ctx.db.pragma('page_count', { simple: true }), page_size: ctx.db.pragma('page_size', { simple: true }),
        journal_mode: ctx.db.pragma('journal_mode', { simple: true }),
      },
    },
    { name: 'disk.json', content: await ctx.ops.disk.status() },
    { name: 'backups.json', content: ctx.ops.backups.list().map(({ file: _file, ...b }) => b) },
    { name: 'recovery.json', content: ctx.ops.recovery },
    {
      name: 'logs/recent.log',
      content: ctx.ops.recentLogs ? `${ctx.ops.recentLogs.lines().join('\n')}\n` : 'This StableQueue keeps no log lines in memory (its host did not attach a log buffer).\n',
    },
  ];
  return { entries, secrets };
}

function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
