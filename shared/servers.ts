import Type from 'typebox';
import { LIMITS } from './limits.ts';

/** The target alias that lets StableQueue choose the server; no server may be named so. */
export const AUTO_SERVER = 'auto';

export const AppTypeSchema = Type.Union([Type.Literal('forge'), Type.Literal('comfyui')]);
export type AppType = Type.Static<typeof AppTypeSchema>;

export const ServerHealthSchema = Type.Union([
  Type.Literal('online'),
  Type.Literal('offline'),
  Type.Literal('busy'),
  Type.Literal('unknown'),
  Type.Literal('disabled'),
]);
export type ServerHealth = Type.Static<typeof ServerHealthSchema>;

/** A tag a job may require of its server: lower case, e.g. `sdxl`, `flux`, `24gb`. */
export const ServerTagSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,31}$', description: 'lower case letters, digits, . _ -' });
/** A checkpoint name pattern: `*` any run of characters, `?` one, case-insensitive (e.g. `flux*`, `*xl*`). */
export const CheckpointPatternSchema = Type.String({ minLength: 1, maxLength: 200 });
/** Daily hours such as "23:00-07:00" (wraps midnight). */
export const AllowedHoursSchema = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const DrainActionSchema = Type.Union([Type.Literal('none'), Type.Literal('unload')], {
  description: "what the server does when the queue has nothing left for it: 'unload' frees its GPU",
});
export type DrainAction = Type.Static<typeof DrainActionSchema>;

/**
 * Which jobs a server takes and when. A job goes to a server only when it carries every tag
 * the job requires, its checkpoint matches an allowed pattern (when there are any) and no
 * blocked one, its size and batch fit, and the time is inside the allowed hours.
 */
const serverRuleFields = {
  tags: Type.Optional(Type.Array(ServerTagSchema, { maxItems: 32, uniqueItems: true })),
  allowed_checkpoints: Type.Optional(Type.Array(CheckpointPatternSchema, { maxItems: 64 })),
  blocked_checkpoints: Type.Optional(Type.Array(CheckpointPatternSchema, { maxItems: 64 })),
  max_pixels: Type.Optional(Type.Union([Type.Integer({ minimum: 4096, maximum: 268_435_456, description: 'largest width × height' }), Type.Null()])),
  max_batch: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1024, description: 'largest batch_size × n_iter' }), Type.Null()])),
  allowed_hours: Type.Optional(Type.Union([AllowedHoursSchema, Type.Null()])),
  time_zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64, description: "IANA name, e.g. Europe/Berlin; null: the engine machine's" }), Type.Null()])),
  drain_action: Type.Optional(DrainActionSchema),
};

const serverFields = {
  ...serverRuleFields,
  app_type: AppTypeSchema,
  api_url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) base URL, e.g. http://192.168.1.20:7860' }),
  username: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
  password: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()], { description: 'write-only' })),
  max_concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
  enabled: Type.Optional(Type.Boolean()),
};

export const ServerCreateSchema = Type.Object(
  { alias: Type.String({ pattern: LIMITS.aliasPattern }), ...serverFields },
  { additionalProperties: false },
);
export type ServerCreate = Type.Static<typeof ServerCreateSchema>;

export const ServerUpdateSchema = Type.Object(
  {
    alias: Type.Optional(Type.String({ pattern: LIMITS.aliasPattern })),
    app_type: Type.Optional(AppTypeSchema),
    api_url: Type.Optional(serverFields.api_url),
    username: serverFields.username,
    password: serverFields.password,
    max_concurrency: serverFields.max_concurrency,
    enabled: serverFields.enabled,
    ...serverRuleFields,
  },
  { additionalProperties: false },
);
export type ServerUpdate = Type.Static<typeof ServerUpdateSchema>;

/** What the API returns: never the password, only whether one is set. */
export const ServerViewSchema = Type.Object({
  alias: Type.String(),
  app_type: AppTypeSchema,
  api_url: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  has_password: Type.Boolean(),
  max_concurrency: Type.Integer(),
  enabled: Type.Boolean(),
  status: ServerHealthSchema,
  status_message: Type.Union([Type.String(), Type.Null()]),
  loaded_checkpoint: Type.Union([Type.String(), Type.Null()]),
  running_jobs: Type.Integer(),
  last_checked: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  allowed_checkpoints: Type.Array(Type.String()),
  blocked_checkpoints: Type.Array(Type.String()),
  max_pixels: Type.Union([Type.Integer(), Type.Null()]),
  max_batch: Type.Union([Type.Integer(), Type.Null()]),
  allowed_hours: Type.Union([Type.String(), Type.Null()]),
  time_zone: Type.Union([Type.String(), Type.Null()]),
  drain_action: DrainActionSchema,
  /** Paused: finishes its current job, takes no new one. */
  paused: Type.Boolean(),
  /** GPU memory in bytes from the last health check; null when the server does not say. */
  vram: Type.Union([Type.Object({ free: Type.Number(), total: Type.Number() }), Type.Null()]),
  /** Why it takes no new job right now besides being busy or offline (paused, outside its hours), or null. */
  idle_reason: Type.Union([Type.String(), Type.Null()]),
});
export type ServerView = Type.Static<typeof ServerViewSchema>;

/** A connection to try before it is saved (the server form's Test button). */
export const ServerProbeSchema = Type.Object(
  {
    app_type: AppTypeSchema,
    api_url: serverFields.api_url,
    username: serverFields.username,
    password: serverFields.password,
  },
  { additionalProperties: false },
);
export type ServerProbe = Type.Static<typeof ServerProbeSchema>;

export const ServerTestResultSchema = Type.Object({
  ok: Type.Boolean(),
  status: ServerHealthSchema,
  message: Type.String(),
  latency_ms: Type.Union([Type.Number(), Type.Null()]),
  loaded_checkpoint: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
});
export type ServerTestResult = Type.Static<typeof ServerTestResultSchema>;

export const ServerResourceKindSchema = Type.Union([
  Type.Literal('checkpoints'),
  Type.Literal('loras'),
  Type.Literal('samplers'),
  Type.Literal('schedulers'),
  Type.Literal('vaes'),
]);
export type ServerResourceKind = Type.Static<typeof ServerResourceKindSchema>;

/** One entry of a server's resource list: `name` is what a job sends, `title` what the server shows. */
export const ServerResourceSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  hash: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type ServerResource = Type.Static<typeof ServerResourceSchema>;

/** POST /api/v1/servers/:alias/pause. `unload: true` also frees the GPU once its current job ends. */
export const ServerPauseRequestSchema = Type.Object({ unload: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type ServerPauseRequest = Type.Static<typeof ServerPauseRequestSchema>;
