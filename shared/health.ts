import Type from 'typebox';

/** GET /api/v1/health: liveness, readiness and what they rest on. */
export const HealthChecksSchema = Type.Object({
  database: Type.String({ description: '"ok" when the database answers' }),
  disk: Type.String({ description: '"ok", or the disk-full message while the queue waits for space' }),
  servers_online: Type.Integer(),
  servers: Type.Integer(),
});

export const HealthSchema = Type.Object({
  ok: Type.Boolean({ description: 'liveness: the process and its database answer (what the Docker healthcheck reads)' }),
  live: Type.Boolean(),
  ready: Type.Boolean({ description: 'readiness: the database answers and the queue is not held by a full disk' }),
  version: Type.String(),
  uptime_s: Type.Number(),
  running_jobs: Type.Integer(),
  recovered: Type.Boolean({ description: 'start-up recovered the database this run (see /api/v1/ops/status)' }),
  checks: HealthChecksSchema,
});
export type Health = Type.Static<typeof HealthSchema>;
