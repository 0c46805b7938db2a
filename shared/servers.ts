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

const serverFields = {
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
});
export type ServerView = Type.Static<typeof ServerViewSchema>;

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
