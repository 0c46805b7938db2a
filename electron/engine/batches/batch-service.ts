import { createHash, randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  BATCH_LIMITS, type BatchAction, type BatchCreated, type BatchRequest, type BatchView, type ExpandedAxis,
} from '../../../shared/batches.ts';
import { FINISHED_STATUSES, JOB_STATUSES, type GenerateRequest } from '../../../shared/jobs.ts';
import type { ExportedBatch } from '../../../shared/queue-export.ts';
import { AUTO_SERVER } from '../../../shared/servers.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import type { GalleryStore } from '../gallery/gallery-store.ts';
import { imageUrls } from '../gallery/gallery-view.ts';
import type { JobEvents } from '../queue/job-events.ts';
import type { JobService, SubmitOptions } from '../queue/job-service.ts';
import type { JobStore, NewJob } from '../queue/job-store.ts';
import type { SettingsStore } from '../queue/settings-store.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import type { ImageRecord, ImageStore } from '../results/image-store.ts';
import type { ServerRegistry } from '../servers/server-registry.ts';
import { BatchExpansionError, expandBatch, type Expansion } from './batch-expansion.ts';
import { CONTACT_SHEET_FIRST_INDEX, type BatchRow, type BatchStore } from './batch-store.ts';
import { contactSheetPlans } from './contact-sheet-plan.ts';
import { composeContactSheet } from './contact-sheet.ts';
import type { WildcardSource } from './dynamic-prompts.ts';
import { readWildcardFolder } from './wildcard-folder.ts';

/** A batch request that cannot be done as asked (unknown batch, too many jobs, a bad axis). */
export class BatchError extends DomainError {}

/** Runs a queue-wide action on some jobs (the bulk actions), answering how many it changed. */
export type RunJobAction = (ids: string[], action: BatchAction, apiKeyId: string | null) => Promise<number>;

/** Most contact sheets one batch gets (one per combination of the axes after the second). */
const MAX_SHEETS = 64;

const noWildcards: WildcardSource = () => null;
const usesWildcards = (request: BatchRequest): boolean => JSON.stringify([request.base.generation_params.positive_prompt ?? '',
  request.base.generation_params.negative_prompt ?? '', request.axes.positive_prompt ?? [], request.axes.negative_prompt ?? []]).includes('__');

/**
 * Batches as the API sees them: a base job and axes expanded into jobs stored in one
 * transaction with their batch row (durable before the answer), progress read from the
 * jobs, whole-batch actions through the queue's bulk actions, and the contact sheet made
 * once every job has ended.
 */
export class BatchService {
  readonly #store: BatchStore;
  readonly #jobs: JobStore;
  readonly #service: JobService;
  readonly #events: JobEvents;
  readonly #gallery: GalleryStore;
  readonly #images: ImageStore;
  readonly #registry: ServerRegistry;
  readonly #settings: SettingsStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #wildcardsDir: string;
  readonly #runAction: RunJobAction;
  readonly #finishing = new Map<string, Promise<void>>();

  constructor(deps: {
    store: BatchStore; jobs: JobStore; service: JobService; events: JobEvents; gallery: GalleryStore; images: ImageStore;
    registry: ServerRegistry; settings: SettingsStore; clock: Clock; logger: Logger; wildcardsDir: string; runAction: RunJobAction;
  }) {
    this.#store = deps.store;
    this.#jobs = deps.jobs;
    this.#service = deps.service;
    this.#events = deps.events;
    this.#gallery = deps.gallery;
    this.#images = deps.images;
    this.#registry = deps.registry;
    this.#settings = deps.settings;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#wildcardsDir = deps.wildcardsDir;
    this.#runAction = deps.runAction;
  }

  async #serverCheckpoints(request: BatchRequest): Promise<string[] | null> {
    const needs = Object.values(request.axes).some((axis) => !Array.isArray(axis) && ('all_on_server' in axis || 'folder' in axis));
    if (!needs) return null;
    const alias = request.base.target_server_alias?.trim();
    if (!alias || alias === AUTO_SERVER) {
      throw new BatchError(400, 'server_needed', 'Checkpoints "all on the server" or from a folder need the batch to name its server in base.target_server_alias.');
    }
    const server = this.#registry.get(alias);
    if (!server) throw new BatchError(404, 'unknown_server', `No server named "${alias}".`);
    try {
      return (await server.backend.listResources('checkpoints')).map((r) => r.name || r.title);
    } catch (error) {
      throw new BatchError(503, 'server_unreachable', `Could not list the checkpoints of "${alias}": ${(error as Error).message}`);
    }
  }

  async #expand(request: BatchRequest): Promise<Expansion> {
    const serverCheckpoints = await this.#serverCheckpoints(request);
    const wildcards = usesWildcards(request) ? await readWildcardFolder(this.#wildcardsDir) : noWildcards;
    try {
      return expandBatch({
        baseParams: request.base.generation_params,
        axes: request.axes,
        mode: request.mode ?? 'product',
        promptMode: request.prompt_mode ?? 'combinatorial',
        promptSeed: request.prompt_seed ?? randomInt(2 ** 32 - 1),
        maxJobs: this.#settings.get('batch_max_jobs'),
        wildcards,
        serverCheckpoints,
        randomSeed: () => randomInt(2 ** 32 - 1),
      });
    } catch (error) {
      if (error instanceof BatchExpansionError) throw new BatchError(400, error.code, error.message);
      throw error;
    }
  }

  /**
   * Expands the request and, unless it is a dry run, stores the batch and all its jobs in
   * one transaction (in run order: one checkpoint's jobs together). Every job is checked as
   * a new job would be before anything is written; durable when this resolves.
   */
  async create(request: BatchRequest, options: SubmitOptions & { maxQueueDepth?: number }): Promise<BatchCreated> {
    const expansion = await this.#expand(request);
    // An API key's cap on unfinished jobs counts the whole batch, not only its first job.
    if (options.maxQueueDepth !== undefined && options.apiKeyId && !request.dry_run) {
      const active = this.#jobs.activeJobsForKey(options.apiKeyId);
      if (active + expansion.jobCount > options.maxQueueDepth) {
        throw new BatchError(429, 'queue_depth_exceeded', `This batch would make ${expansion.jobCount} jobs and this API key already has ${active} unfinished; its limit is ${options.maxQueueDepth} (max_queue_depth). Make a smaller batch or wait for some to finish.`);
      }
    }
    const order = expansion.runOrder();
    const preview = order.slice(0, BATCH_LIMITS.previewJobs).map((cell) => {
      const job = expansion.job(cell);
      return {
        positive_prompt: String(job.params.positive_prompt ?? ''), negative_prompt: String(job.params.negative_prompt ?? ''),
        labels: job.labels, generation_params: job.params,
      };
    });
    const answer = { job_count: expansion.jobCount, axes: expansion.axes, preview, max_jobs: this.#settings.get('batch_max_jobs') };
    if (request.dry_run) {
      // The first job is checked as a real one would be, so a dry run says what a submit would refuse.
      if (order.length) await this.#service.newJob({ ...request.base, generation_params: expansion.job(order[0]).params }, options);
      return { batch_id: null, mobilesd_job_ids: [], ...answer };
    }
    const id = randomUUID();
    const { callback_url: callbackUrl, ...base } = request.base;
    // The callback URL is checked once (a DNS look-up), then given to every job.
    const callback = callbackUrl ? (await this.#service.newJob({ ...request.base, generation_params: expansion.job(order[0]).params }, options)).callback : null;
    const checked = await this.#service.newJobs(order.map((cell) => ({ ...(base as GenerateRequest), generation_params: expansion.job(cell).params })), options);
    const newJobs: NewJob[] = checked.map((job, i) => ({ ...job, callback, batch: { id, index: order[i] } }));
    const rows = this.#store.inTransaction(() => {
      this.#store.insert({
        id, name: request.name?.trim() || null, created_at: isoAt(this.#clock), mode: request.mode ?? 'product',
        axes: expansion.axes, request, job_count: newJobs.length, target_server_alias: newJobs[0]?.target_server_alias ?? AUTO_SERVER,
        api_key_id: options.apiKeyId ?? null,
      });
      return this.#jobs.insertMany(newJobs);
    });
    // Durable now: the answer goes first, the thousand job.created events right after it.
    setImmediate(() => this.#service.announceCreated(rows));
    this.#logger.info({ batch: id, jobs: rows.length, axes: expansion.axes.map((a) => `${a.name}×${a.values.length}`) }, 'batch created');
    return { batch_id: id, mobilesd_job_ids: rows.map((r) => r.mobilesd_job_id), ...answer };
  }

  #row(id: string): BatchRow {
    const row = this.#store.get(id);
    if (!row) throw new BatchError(404, 'batch_not_found', `No batch with id ${id}.`);
    return row;
  }

  view(row: BatchRow): BatchView {
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<string, number>;
    Object.assign(counts, this.#store.counts(row.id));
    const sheets = this.#store.sheets(row.id);
    return {
      batch_id: row.id, name: row.name, created_at: row.created_at, finished_at: row.finished_at, mode: row.mode, job_count: row.job_count,
      counts, done: FINISHED_STATUSES.reduce((sum, s) => sum + (counts[s] ?? 0), 0), status: row.finished_at ? 'finished' : 'active',
      axes: JSON.parse(row.axes_json) as ExpandedAxis[], target_server_alias: row.target_server_alias,
      contact_sheets: sheets.map((image) => ({
        image_id: image.id, title: sheetTitle(image.infotext), url: imageUrls(image.id).download_url, thumbnail_url: imageUrls(image.id).thumbnail_url,
      })),
    };
  }

  get(id: string): BatchView {
    return this.view(this.#row(id));
  }

  /** The API key that made the batch (null: the UI), for ownership checks. */
  ownerKey(id: string): string | null {
    return this.#row(id).api_key_id;
  }

  list(limit: number, offset: number): { batches: BatchView[]; total: number } {
    const { rows, total } = this.#store.page(limit, offset);
    return { batches: rows.map((row) => this.view(row)), total };
  }

  /** Batches as a queue export writes them (the ones of these ids that exist). */
  exported(ids: readonly string[]): ExportedBatch[] {
    return ids.flatMap((id) => {
      const row = this.#store.get(id);
      return row ? [{
        batch_id: row.id, name: row.name, created_at: row.created_at, mode: row.mode, axes: JSON.parse(row.axes_json) as ExpandedAxis[],
        job_count: row.job_count, request: JSON.parse(row.request_json) as unknown,
      }] : [];
    });
  }

  /**
   * A batch of an import file stored again under a new id, as it was exported (name, axes,
   * grid size, request), so its imported jobs group and get their contact sheet. Called
   * inside the import's transaction, which stores the jobs.
   */
  restore(batch: ExportedBatch, owner: { apiKeyId: string | null; targetServerAlias: string }): string {
    const id = randomUUID();
    this.#store.insert({
      id, name: batch.name, created_at: batch.created_at, mode: batch.mode, axes: batch.axes, request: batch.request,
      job_count: batch.job_count, target_server_alias: owner.targetServerAlias, api_key_id: owner.apiKeyId,
    });
    return id;
  }

  /** Cancel, retry, hold or release every job of the batch the action fits (as the bulk action does to each). */
  async act(id: string, action: BatchAction, apiKeyId: string | null): Promise<{ changed: number; batch: BatchView }> {
    this.#row(id);
    const changed = await this.#runAction(this.#store.jobIds(id), action, apiKeyId);
    return { changed, batch: this.get(id) };
  }

  /** A job ended: when it was its batch's last, the batch is finished (contact sheet, event). */
  jobEnded(jobId: string): void {
    const batchId = this.#jobs.get(jobId)?.batch_id;
    if (batchId && this.#store.allEnded(batchId)) void this.finish(batchId);
  }

  /** Batches whose last job ended while StableQueue was stopped are finished now. */
  async finishLeftovers(): Promise<void> {
    for (const id of this.#store.endedUnmarked()) await this.finish(id);
  }

  /** Makes the contact sheets and marks the batch finished; one run per batch at a time. */
  finish(id: string): Promise<void> {
    const running = this.#finishing.get(id);
    if (running) return running;
    const run = this.#finish(id).catch((error: unknown) => {
      this.#logger.error({ batch: id, err: (error as Error).message }, 'batch finish failed');
    }).finally(() => this.#finishing.delete(id));
    this.#finishing.set(id, run);
    return run;
  }

  async #finish(id: string): Promise<void> {
    const row = this.#store.get(id);
    const first = this.#store.firstJob(id);
    if (!row || row.finished_at || !first || !this.#store.allEnded(id)) return;
    const now = new Date(this.#clock.now());
    const axes = JSON.parse(row.axes_json) as ExpandedAxis[];
    const records: ImageRecord[] = [];
    try {
      const cells = new Map(this.#store.cells(id).map((cell) => [cell.batch_index, cell]));
      const plans = contactSheetPlans(axes, row.mode, row.job_count).slice(0, MAX_SHEETS);
      for (const [n, plan] of plans.entries()) {
        const images = await Promise.all(plan.cells.map(async (index) => {
          const cell = cells.get(index);
          const image = cell ? this.#gallery.forJob(cell.mobilesd_job_id).find((i) => i.kind === 'result') : undefined;
          if (!image) return cell?.status ?? 'missing';
          return fs.readFile(this.#images.absolute(image.file_path)).catch(() => 'unreadable');
        }));
        const sheet = await composeContactSheet({ title: plan.title, columns: plan.columns, rows: plan.rows, cells: images });
        const idx = CONTACT_SHEET_FIRST_INDEX + n;
        const relative = this.#images.relativePathFor(first.mobilesd_job_id, idx, 'image/png', now);
        await writeFileAtomic(this.#images.absolute(relative), sheet.png);
        records.push({
          idx, file_path: relative, mime: 'image/png', bytes: sheet.png.length, sha256: createHash('sha256').update(sheet.png).digest('hex'),
          width: sheet.geometry.width, height: sheet.geometry.height, seed: null, kind: 'grid', batch_id: id,
          infotext: JSON.stringify({ contact_sheet: { batch_id: id, title: plan.title, columns: plan.columns, rows: plan.rows } }),
        });
      }
    } catch (error) {
      // The batch still finishes (and notifies); only its picture is missing.
      this.#logger.warn({ batch: id, err: (error as Error).message }, 'contact sheet not made');
      records.length = 0;
    }
    const finished = this.#store.finish(id, now.toISOString(), () => this.#gallery.insertForJob({
      job_id: first.mobilesd_job_id, server_alias: first.assigned_server_alias, app_type: first.app_type, checkpoint: null,
      positive_prompt: `Contact sheet${row.name ? `: ${row.name}` : ''} (${axes.map((a) => a.name).join(' × ')})`, created_at: now.toISOString(),
    }, records));
    if (!finished) {
      await Promise.all(records.map((r) => this.#images.remove(r.file_path).catch(() => {})));
      return;
    }
    this.#logger.info({ batch: id, sheets: records.length }, 'batch finished');
    this.#events.batchFinished(this.get(id));
  }
}

/** A sheet's title from the infotext it was saved with. */
function sheetTitle(infotext: string | null): string {
  try {
    const sheet = (JSON.parse(infotext ?? '') as { contact_sheet?: { title?: string | null } }).contact_sheet;
    return sheet?.title ?? 'Contact sheet';
  } catch {
    return 'Contact sheet';
  }
}
