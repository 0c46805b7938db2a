import { isDeepStrictEqual } from 'node:util';
import type { EditJobRequest, GenerationParams } from '../../../shared/jobs.ts';
import type { JobEdit, JobFieldChange } from '../../../shared/job-edits.ts';
import type { JobRow } from './job-row.ts';

/** A value larger than this (as JSON) is recorded in the history by its size only. */
const HISTORY_VALUE_MAX_CHARS = 500;

/** The merged params of an edit: a field sent replaces the stored one, the rest stay. */
export function mergedParams(row: JobRow, request: EditJobRequest): GenerationParams {
  const stored = JSON.parse(row.generation_params_json) as GenerationParams;
  return request.generation_params ? { ...stored, ...request.generation_params } : stored;
}

const isoOrNull = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);

function kept(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json !== undefined && json.length > HISTORY_VALUE_MAX_CHARS ? `(${json.length} characters)` : value;
}

function change(field: string, from: unknown, to: unknown): JobFieldChange {
  return from === undefined ? { field, to: kept(to) } : { field, from: kept(from), to: kept(to) };
}

/**
 * What an edit changes, field by field, comparing the job as stored with the job as it
 * will be (params already merged and normalised). Empty when the edit changes nothing.
 */
export function changesOf(row: JobRow, next: { params: GenerationParams; target: string; priority: number; notBefore: number }): JobFieldChange[] {
  const changes: JobFieldChange[] = [];
  if (next.target !== row.target_server_alias) changes.push(change('target_server_alias', row.target_server_alias, next.target));
  if (next.priority !== row.priority) changes.push(change('priority', row.priority, next.priority));
  if (next.notBefore !== row.not_before) changes.push(change('not_before', isoOrNull(row.not_before), isoOrNull(next.notBefore)));
  const before = JSON.parse(row.generation_params_json) as Record<string, unknown>;
  for (const [name, value] of Object.entries(next.params)) {
    if (!isDeepStrictEqual(before[name], value)) changes.push(change(`generation_params.${name}`, before[name], value));
  }
  return changes;
}

/**
 * The entry a retry leaves in the history: the attempt that ended, with its status, its
 * times and its error. The job's own columns are then reused by the next attempt, so this
 * is where the earlier run stays visible.
 */
export function retryEdit(row: JobRow, at: string): JobEdit {
  const changes: JobFieldChange[] = [change('status', row.status, 'pending')];
  if (row.started_timestamp) changes.push(change('started_timestamp', row.started_timestamp, null));
  if (row.completion_timestamp) changes.push(change('completion_timestamp', row.completion_timestamp, null));
  if (row.error_message) changes.push(change('error_message', row.error_message, null));
  return { at, by: 'ui', api_key_id: null, changes };
}

/** The history with one more entry. */
export function withEdit(row: JobRow, edit: JobEdit): string {
  return JSON.stringify([...editHistoryOf(row), edit]);
}

export function editHistoryOf(row: Pick<JobRow, 'edit_history_json'>): JobEdit[] {
  return row.edit_history_json ? JSON.parse(row.edit_history_json) as JobEdit[] : [];
}
