import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { resolveConfig } from './engine/config.ts';
import { DataDirInUseError, lockDataDir } from './engine/db/data-dir-lock.ts';
import { createLogger } from './engine/logger.ts';
import { BackupService } from './engine/ops/backup-service.ts';
import { requestRestore, resolveBackupArgument, RestoreError } from './engine/ops/restore-database.ts';
import { checkDatabaseFile } from './engine/ops/sqlite-backup.ts';
import { headlessConfigFromEnv } from './headless-config.ts';

/**
 * `npm run restore -- <backup name or file> [--yes]`: puts a database backup back. It
 * asks for confirmation, then hands the backup to the same path the Settings page uses:
 * the next start backs up the current database (pre-restore), swaps the backup in and puts
 * images made since then back into the gallery. The data folder comes from the same
 * variables as `npm run serve` (STABLEQUEUE_DATA_DIR / CONFIG_DATA_PATH).
 */
const args = process.argv.slice(2);
const yes = args.includes('--yes') || args.includes('-y');
const target = args.find((a) => !a.startsWith('-'));
const config = resolveConfig(headlessConfigFromEnv(process.env, { uiDir: '', cwd: process.cwd() }));
const backups = new BackupService({ dataDir: config.dataDir, clock: { now: () => Date.now() }, logger: createLogger({ level: 'warn' }), keep: () => Number.MAX_SAFE_INTEGER });

if (!target) {
  console.log(`Usage: npm run restore -- <backup name or file> [--yes]\n\nBackups in ${backups.dir}:`);
  for (const b of backups.list()) console.log(`  ${b.name}  (${b.reason}, ${b.created_at}, ${Math.round(b.bytes / 1024)} KiB)`);
  process.exit(target === undefined && args.length === 0 ? 0 : 2);
}

try {
  const backup = resolveBackupArgument(backups, target, new Date());
  const live = path.join(config.dataDir, 'stablequeue.db');
  console.log(`Data folder: ${config.dataDir}`);
  console.log(`Restore:     ${backup.name} (taken ${backup.created_at}, ${backup.reason})`);
  console.log(`Replaces:    ${live}${fs.existsSync(live) ? ` (integrity: ${checkDatabaseFile(live, 'quick')}); it is backed up first` : ' (missing)'}`);
  console.log('Jobs, servers, settings and API keys changed after the backup was taken are lost; images on disk are kept.');
  if (!yes) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question('Type "restore" to go on: ')).trim();
    rl.close();
    if (answer !== 'restore') {
      console.log('Nothing changed.');
      process.exit(1);
    }
  }
  requestRestore(config.dataDir, backups, backup.name);
  let running = false;
  try {
    lockDataDir(config.dataDir)();
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    running = true;
  }
  console.log(running
    ? 'StableQueue is running: restart it and the backup is restored as it starts.'
    : 'Done: the backup is restored when StableQueue starts next (npm run serve, or the desktop app).');
} catch (error) {
  if (!(error instanceof RestoreError)) throw error;
  console.error(error.message);
  process.exit(2);
}
