import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { imageMime } from '../backends/image-bytes.ts';
import { isoAt, type Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { GalleryStore } from '../gallery/gallery-store.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import { readPngText } from '../results/png-text.ts';
import { parseInfotext } from './infotext-fields.ts';

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const OUR_IMAGE = /^([0-9a-f-]{36})-(\d{3})\.(png|jpg|webp)$/;
const UNFINISHED = new Set(['pending', 'held', 'downloading_resources', 'processing']);

/**
 * After the database was restored from a backup or started fresh, the images StableQueue
 * wrote since then are still on disk but have no rows; the normal start-up sweep would
 * take them for leftovers of a crash and delete them. This puts them back into the
 * gallery first: a job that the restored database still thinks is waiting becomes
 * completed with its images, and an unknown job is recreated as a completed job from
 * the image's own metadata (its infotext, or ComfyUI's workflow chunk). Returns how many
 * images were re-added.
 */
export async function rebuildGalleryFromDisk(db: Db, outputsDir: string, clock: Clock): Promise<number> {
  const found = new Map<string, { idx: number; relative: string; full: string }[]>();
  for (const day of await fs.readdir(outputsDir).catch(() => [] as string[])) {
    if (!DAY_DIR.test(day)) continue;
    for (const name of await fs.readdir(path.join(outputsDir, day)).catch(() => [] as string[])) {
      const match = OUR_IMAGE.exec(name);
      if (!match) continue;
      const list = found.get(match[1]) ?? [];
      list.push({ idx: Number(match[2]), relative: path.posix.join(day, name), full: path.join(outputsDir, day, name) });
      found.set(match[1], list);
    }
  }
  const gallery = new GalleryStore(db);
  const jobStatus = db.prepare<[string], { status: string }>('SELECT status FROM jobs WHERE mobilesd_job_id = ?');
  const nextPosition = db.prepare<[], { p: number }>('SELECT COALESCE(MAX(position), 0) + 1 AS p FROM jobs');
  const insertJob = db.prepare(`INSERT INTO jobs (mobilesd_job_id, status, creation_timestamp, last_updated_timestamp,
    completion_timestamp, target_server_alias, generation_params_json, result_details_json, app_type, source_info, position,
    positive_prompt, checkpoint_name)
    VALUES (@id, 'completed', @at, @at, @at, @target, @params, @details, @app_type, 'recovered_from_disk', @position, @prompt, @checkpoint)`);
  const completeJob = db.prepare(`UPDATE jobs SET status = 'completed', completion_timestamp = @at, last_updated_timestamp = @at,
    lease_token = NULL, error_message = 'Recovered from the images on disk after a database restore'
    WHERE mobilesd_job_id = @id`);

  let added = 0;
  for (const [jobId, files] of found) {
    if (gallery.jobHasImages(jobId)) continue;
    files.sort((a, b) => a.idx - b.idx);
    const images: (typeof files[number] & {
      data: Buffer; mime: string; text: Record<string, string>; width: number | null; height: number | null; created_at: string;
    })[] = [];
    for (const file of files) {
      const data = await fs.readFile(file.full).catch(() => null);
      if (!data) continue;
      const mime = imageMime(data) ?? 'application/octet-stream';
      const text = mime === 'image/png' ? readPngText(data) : {};
      const meta = await sharp(data).metadata().catch(() => null);
      const stat = await fs.stat(file.full);
      images.push({ ...file, data, mime, text, width: meta?.width ?? null, height: meta?.height ?? null, created_at: stat.mtime.toISOString() });
    }
    if (images.length === 0) continue;
    const first = images[0];
    const infotext = first.text.parameters ?? null;
    const fields = infotext ? parseInfotext(infotext) : null;
    const appType = first.text.prompt && !infotext ? 'comfyui' : 'forge';
    const checkpoint = fields?.settings.Model ?? null;
    const prompt = fields?.positive_prompt ?? '';
    const at = isoAt(clock);
    db.transaction(() => {
      const existing = jobStatus.get(jobId);
      if (!existing) {
        const params: Record<string, unknown> = { positive_prompt: prompt };
        if (fields?.negative_prompt) params.negative_prompt = fields.negative_prompt;
        if (checkpoint) params.checkpoint_name = checkpoint;
        for (const [key, field] of [['Steps', 'steps'], ['CFG scale', 'cfg_scale'], ['Seed', 'seed']] as const) {
          const value = Number(fields?.settings[key]);
          if (Number.isFinite(value)) params[field] = value;
        }
        if (fields?.settings.Sampler) params.sampler_name = fields.settings.Sampler;
        insertJob.run({
          id: jobId, at: first.created_at, target: AUTO_SERVER, params: JSON.stringify(params),
          details: JSON.stringify({ recovered_from_disk: true }), app_type: appType, position: nextPosition.get()!.p,
          prompt, checkpoint,
        });
      } else if (UNFINISHED.has(existing.status)) {
        completeJob.run({ id: jobId, at });
      }
      gallery.insertForJob(
        { job_id: jobId, server_alias: null, app_type: appType, checkpoint, positive_prompt: prompt, created_at: first.created_at },
        images.map((image) => {
          const seed = Number(image.text.parameters ? parseInfotext(image.text.parameters).settings.Seed : NaN);
          return {
            idx: image.idx, file_path: image.relative, mime: image.mime, bytes: image.data.length,
            sha256: createHash('sha256').update(image.data).digest('hex'), width: image.width, height: image.height,
            seed: Number.isFinite(seed) ? seed : null, infotext: image.text.parameters ?? null,
          };
        }),
      );
      added += images.length;
    }).immediate();
  }
  return added;
}
