/**
 * The facades' own view of the jobs table. A facade job is a normal job whose `metadata`
 * (written in the same insert as the job, so a kill -9 cannot separate them) says which
 * door it came through, who called, and the ids the client was given or chose (A1111's
 * `force_task_id`, ComfyUI's `client_id`). These lookups find them again, also after a
 * restart: a retried A1111 call with the same `force_task_id` finds its job instead of
 * queueing a duplicate.
 */
import type { JobStatus } from '../../../shared/jobs.ts';
import type { Db } from '../db/connection.ts';
import type { JobRow } from '../queue/job-row.ts';
import type { CompatCaller } from './compat-caller.ts';

export type CompatDoor = 'a1111' | 'comfyui';

/** The queue's `source_info` for each door. */
export const DOOR_SOURCE: Record<CompatDoor, string> = { a1111: 'a1111_api', comfyui: 'comfyui_api' };

/** What a facade keeps in a job's metadata, under `compat`. */
export interface CompatJobMetadata {
  door: CompatDoor;
  caller: string;
  client_name: string | null;
  /** A1111: the client's force_task_id. */
  task_id?: string;
  /** ComfyUI: the websocket client the prompt's events go to. */
  client_id?: string;
  /** ComfyUI: the queue number the client was given. */
  number?: number;
  /** ComfyUI: extra_data as sent (without the UI workflow, which goes into workflow_ui). */
  extra_data?: Record<string, unknown>;
  /** ComfyUI: the prompt_id the client chose (POST /prompt `prompt_id`); else the job id is the prompt_id. */
  prompt_id?: string;
  /** ComfyUI: the output nodes validation found (the queue item's outputs_to_execute). */
  outputs?: string[];
}

export function compatMetadata(door: CompatDoor, caller: CompatCaller, extra: Partial<CompatJobMetadata> = {}): { compat: CompatJobMetadata } {
  return { compat: { door, caller: caller.id, client_name: caller.clientName, ...extra } };
}

export function compatOf(row: JobRow): CompatJobMetadata | null {
  if (!row.metadata_json) return null;
  try {
    const compat = (JSON.parse(row.metadata_json) as { compat?: CompatJobMetadata }).compat;
    return compat && typeof compat === 'object' ? compat : null;
  } catch {
    return null;
  }
}

/** The prompt_id a ComfyUI client knows a job by. */
export function promptIdOf(row: JobRow): string {
  return compatOf(row)?.prompt_id ?? row.mobilesd_job_id;
}

export class CompatJobs {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The caller's job that carried this A1111 `force_task_id`, newest first. */
  byTaskId(caller: CompatCaller, taskId: string): JobRow | undefined {
    return this.#db.prepare<[string, string, string], JobRow>(`SELECT * FROM jobs
      WHERE source_info = ? AND json_extract(metadata_json, '$.compat.caller') = ?
        AND json_extract(metadata_json, '$.compat.task_id') = ?
      ORDER BY creation_timestamp DESC LIMIT 1`).get(DOOR_SOURCE.a1111, caller.id, taskId);
  }

  /** The caller's jobs through a door in these states, oldest first. */
  ofCaller(door: CompatDoor, caller: CompatCaller, statuses: readonly JobStatus[]): JobRow[] {
    return this.#db.prepare<unknown[], JobRow>(`SELECT * FROM jobs
      WHERE source_info = ? AND json_extract(metadata_json, '$.compat.caller') = ?
        AND status IN (${statuses.map(() => '?').join(', ')}) AND archived = 0
      ORDER BY priority DESC, position ASC, creation_timestamp ASC`).all(DOOR_SOURCE[door], caller.id, ...statuses);
  }

  /** The jobs a door took for this caller, newest first (ComfyUI /history). */
  recentOfCaller(door: CompatDoor, caller: CompatCaller, limit: number, offset: number): JobRow[] {
    return this.#db.prepare<unknown[], JobRow>(`SELECT * FROM jobs
      WHERE source_info = ? AND json_extract(metadata_json, '$.compat.caller') = ? AND archived = 0
      ORDER BY creation_timestamp DESC LIMIT ? OFFSET ?`).all(DOOR_SOURCE[door], caller.id, limit, offset);
  }

  /** A job of this door by id (a ComfyUI prompt_id is the job id). */
  get(door: CompatDoor, id: string): JobRow | undefined {
    return this.#db.prepare<[string, string], JobRow>('SELECT * FROM jobs WHERE mobilesd_job_id = ? AND source_info = ?').get(id, DOOR_SOURCE[door]);
  }

  /** The highest ComfyUI queue number given so far, so numbers keep growing across restarts. */
  lastComfyNumber(): number {
    const row = this.#db.prepare<[string], { n: number | null }>(`SELECT MAX(json_extract(metadata_json, '$.compat.number')) AS n
      FROM jobs WHERE source_info = ?`).get(DOOR_SOURCE.comfyui);
    return row?.n ?? 0;
  }

  /** A ComfyUI-door job by the prompt_id its client knows: the job id, or the prompt_id the client chose. */
  byPromptId(promptId: string): JobRow | undefined {
    return this.#db.prepare<[string, string, string], JobRow>(`SELECT * FROM jobs WHERE source_info = ?
        AND (mobilesd_job_id = ? OR json_extract(metadata_json, '$.compat.prompt_id') = ?)
      ORDER BY creation_timestamp DESC LIMIT 1`).get(DOOR_SOURCE.comfyui, promptId, promptId);
  }

  /** Unfinished ComfyUI-door jobs of one websocket client (its events are relayed to it). */
  unfinishedOfClient(clientId: string): JobRow[] {
    return this.#db.prepare<[string, string], JobRow>(`SELECT * FROM jobs
      WHERE source_info = ? AND status IN ('pending', 'held', 'downloading_resources', 'processing')
        AND json_extract(metadata_json, '$.compat.client_id') = ?`).all(DOOR_SOURCE.comfyui, clientId);
  }
}
