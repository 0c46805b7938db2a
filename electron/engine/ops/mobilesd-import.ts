import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { imageMime } from '../backends/image-bytes.ts';
import type { Db } from '../db/connection.ts';
import { GalleryStore } from '../gallery/gallery-store.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import { readPngText } from '../results/png-text.ts';

const DB_FILE = /\.(db|sqlite|sqlite3)$/i;
const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;
const STATUSES = new Set(['pending', 'processing', 'completed', 'failed', 'cancelled']);

export interface MobileSdImport {
  file: string;
  jobs: number;
  images: number;
}

/**
 * Finds a database of MobileSD (StableQueue's predecessor) in the data folder: an SQLite
 * file with a `jobs` table in MobileSD's schema (`mobilesd_job_id`, `status`,
 * `generation_params_json`, `result_details_json`, …). Our own files are skipped.
 */
export function findMobileSdDatabase(dataDir: string): string | null {
  let names: string[];
  try {
    names = fs.readdirSync(dataDir);
  } catch {
    return null;
  }
  for (const name of names.sort()) {
    if (!DB_FILE.test(name) || name.startsWith('stablequeue')) continue;
    const file = path.join(dataDir, name);
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      const columns = new Set((db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((c) => c.name));
      if (columns.has('mobilesd_job_id') && columns.has('status') && columns.has('generation_params_json')) return file;
    } catch {
      // Not a database, or not MobileSD's.
    } finally {
      db?.close();
    }
  }
  return null;
}

/**
 * Imports MobileSD's job history once, like its servers.json: only into a StableQueue that
 * has no jobs yet, so it never runs twice and never mixes with a queue already in use.
 * Jobs keep their ids, times, server alias, parameters and results; a job MobileSD left
 * waiting or running waits again here. Images its results name that are found under the
 * outputs folder join the gallery. The MobileSD file itself is only read.
 */
export function importMobileSdJobs(db: Db, file: string, outputsDir: string, beforeImport: () => void): MobileSdImport | null {
  if ((db.prepare('SELECT COUNT(*) FROM jobs').pluck().get() as number) > 0) return null;
  const source = new Database(file, { readonly: true, fileMustExist: true });
  let rows: Record<string, unknown>[];
  try {
    rows = source.prepare('SELECT * FROM jobs ORDER BY creation_timestamp, rowid').all() as Record<string, unknown>[];
  } finally {
    source.close();
  }
  if (rows.length === 0) return null;
  beforeImport();

  const insertJob = db.prepare(`INSERT OR IGNORE INTO jobs (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp,
    completion_timestamp, target_server_alias, forge_session_hash, generation_params_json, result_details_json, app_type,
    source_info, api_key_id, position, attempts, positive_prompt, checkpoint_name, error_message)
    VALUES (@id, @status, @created, @updated, @completed, @target, @session, @params, @details, @app_type, @source, @api_key,
    @position, @attempts, @prompt, @checkpoint, @error)`);
  const gallery = new GalleryStore(db);
  let jobs = 0;
  let images = 0;
  db.transaction(() => {
    for (const [position, row] of rows.entries()) {
      const id = typeof row.mobilesd_job_id === 'string' ? row.mobilesd_job_id : null;
      if (!id) continue;
      const params = parseObject(row.generation_params_json);
      const details = parseObject(row.result_details_json);
      const status = STATUSES.has(String(row.status)) ? String(row.status) : 'failed';
      const waiting = status === 'pending' || status === 'processing';
      const created = String(row.creation_timestamp ?? new Date(0).toISOString());
      const prompt = typeof params.positive_prompt === 'string' ? params.positive_prompt : '';
      const checkpoint = typeof params.checkpoint_name === 'string' ? params.checkpoint_name : null;
      const appType = row.app_type === 'comfyui' ? 'comfyui' : 'forge';
      const target = typeof row.target_server_alias === 'string' && row.target_server_alias ? row.target_server_alias : AUTO_SERVER;
      const changed = insertJob.run({
        id, status: waiting ? 'pending' : status, created, updated: String(row.last_updated_timestamp ?? created),
        completed: waiting ? null : (row.completion_timestamp as string | null) ?? null, target,
        session: (row.forge_session_hash as string | null) ?? null, params: JSON.stringify(params),
        details: row.result_details_json == null ? null : JSON.stringify(details), app_type: appType,
        source: typeof row.source_info === 'string' ? row.source_info : 'mobilesd_import',
        api_key: typeof row.api_key_id === 'string' ? row.api_key_id : null, position: position + 1,
        attempts: waiting ? 0 : Number(row.retry_count ?? 0) || 0, prompt, checkpoint,
        error: typeof details.error === 'string' ? details.error : null,
      }).changes;
      if (!changed) continue;
      jobs++;
      if (status !== 'completed') continue;
      const files = imageFilesNamed(details, outputsDir);
      gallery.insertForJob(
        { job_id: id, server_alias: target === AUTO_SERVER ? null : target, app_type: appType, checkpoint, positive_prompt: prompt,
          created_at: (row.completion_timestamp as string | null) ?? created },
        files.map((relative, idx) => {
          const data = fs.readFileSync(path.join(outputsDir, relative));
          return {
            idx, file_path: relative, mime: imageMime(data) ?? 'application/octet-stream', bytes: data.length,
            sha256: createHash('sha256').update(data).digest('hex'), width: null, height: null, seed: null,
            infotext: readPngText(data).parameters ?? null,
          };
        }),
      );
      images += files.length;
    }
  }).immediate();
  return { file, jobs, images };
}

function parseObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Image file names anywhere in a job's result details that exist under the outputs folder (as paths relative to it). */
function imageFilesNamed(details: Record<string, unknown>, outputsDir: string): string[] {
  const names: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 4) return;
    if (typeof value === 'string' && IMAGE_FILE.test(value)) names.push(value);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, depth + 1));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => visit(v, depth + 1));
  };
  visit(details, 0);
  const root = path.resolve(outputsDir);
  const found: string[] = [];
  for (const name of names) {
    for (const candidate of [path.resolve(root, name), path.join(root, path.basename(name))]) {
      if (!candidate.startsWith(root + path.sep) || !fs.existsSync(candidate)) continue;
      const relative = path.relative(root, candidate).split(path.sep).join('/');
      if (!found.includes(relative)) found.push(relative);
      break;
    }
  }
  return found;
}
