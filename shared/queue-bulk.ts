import Type from 'typebox';
import { JobStatusSchema, PrioritySchema } from './jobs.ts';
import { LIMITS } from './limits.ts';
import { AppTypeSchema } from './servers.ts';

/** What a bulk action does to each job it matches. */
export const BulkActionSchema = Type.Union([
  Type.Literal('cancel'), Type.Literal('retry'), Type.Literal('delete'), Type.Literal('hold'), Type.Literal('release'),
  Type.Literal('move_top'), Type.Literal('move_bottom'), Type.Literal('set_priority'), Type.Literal('set_server'), Type.Literal('edit'),
]);
export type BulkAction = Type.Static<typeof BulkActionSchema>;
export const BULK_ACTIONS: readonly BulkAction[] = ['cancel', 'retry', 'delete', 'hold', 'release', 'move_top', 'move_bottom', 'set_priority', 'set_server', 'edit'];

/** At most this many ids in one request; a filter may match at most `filterMatches` jobs. */
export const BULK_LIMITS = { ids: 5_000, filterMatches: 50_000 } as const;

/** The queue list's filters (GET /api/v1/queue/jobs), as an object; an empty filter matches every job in the list. */
export const BulkFilterSchema = Type.Object({
  status: Type.Optional(Type.Array(JobStatusSchema, { minItems: 1, maxItems: 8, description: 'any of these statuses (the list: all but archived)' })),
  app_type: Type.Optional(AppTypeSchema),
  source: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  api_key_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'a job id (exact) or words of the prompt' })),
}, { additionalProperties: false });
export type BulkFilter = Type.Static<typeof BulkFilterSchema>;

/** The `edit` action's changes: each field given is set on every job; find/replace works on both prompts. */
export const BulkEditSchema = Type.Object({
  find: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'text to replace in the positive and negative prompt (exact, case-sensitive)' })),
  replace: Type.Optional(Type.String({ maxLength: 1000 })),
  checkpoint_name: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  sampler_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  steps: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxSteps })),
  width: Type.Optional(Type.Integer({ minimum: LIMITS.minSide, maximum: LIMITS.maxSide })),
  height: Type.Optional(Type.Integer({ minimum: LIMITS.minSide, maximum: LIMITS.maxSide })),
  cfg_scale: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  /** random: a new seed each run (-1). fixed: `seed` on every job, or without one each job's current seed made concrete. */
  seed_mode: Type.Optional(Type.Union([Type.Literal('random'), Type.Literal('fixed')])),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.maxSeed })),
}, { additionalProperties: false, minProperties: 1 });
export type BulkEdit = Type.Static<typeof BulkEditSchema>;

/**
 * POST /api/v1/queue/bulk: one action on many jobs, named by `ids` or chosen by `filter`
 * (exactly one of them), in one transaction. `params` carries what set_priority
 * (`priority`), set_server (`target_server_alias`) and edit (`edit`) need.
 */
export const BulkRequestSchema = Type.Object({
  ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: BULK_LIMITS.ids })),
  filter: Type.Optional(BulkFilterSchema),
  action: BulkActionSchema,
  params: Type.Optional(Type.Object({
    priority: Type.Optional(PrioritySchema),
    target_server_alias: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    edit: Type.Optional(BulkEditSchema),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type BulkRequest = Type.Static<typeof BulkRequestSchema>;

/**
 * Why a matched job was left alone, counted: `not_waiting` (only a pending or held job can be
 * moved, held, edited…), `not_pending` (hold), `not_held` (release), `finished` (cancel),
 * `not_retryable` (retry), `not_found` (an id no job has), or the error code a check gave
 * (e.g. `unknown_server`, `app_type_mismatch`).
 */
export const BulkResponseSchema = Type.Object({
  action: BulkActionSchema,
  matched: Type.Integer(),
  changed: Type.Integer(),
  skipped: Type.Record(Type.String(), Type.Integer()),
});
export type BulkResponse = Type.Static<typeof BulkResponseSchema>;
