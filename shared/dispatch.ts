import Type from 'typebox';

/** What the dispatcher learned about one server: its speed and the model loads its jobs made. */
export const ServerDispatchStatsSchema = Type.Object({
  alias: Type.String(),
  model_loads: Type.Integer({ description: 'jobs that made the server load another checkpoint' }),
  loads_saved: Type.Integer({ description: 'times grouping ran a job with the loaded checkpoint instead of one that needed a load' }),
  load_mean_ms: Type.Union([Type.Integer(), Type.Null()], { description: 'measured mean cost of a model load; null before one was measured' }),
  runs: Type.Integer({ description: 'finished runs the speed was learned on' }),
  megapixel_steps_per_second: Type.Union([Type.Number(), Type.Null()], {
    description: 'sampling speed: steps per second at one megapixel (e.g. 512×512 at 4 it/s is about 1.05); null before a run was measured',
  }),
});
export type ServerDispatchStats = Type.Static<typeof ServerDispatchStatsSchema>;

/** GET /api/v1/queue/dispatch-stats */
export const DispatchStatsResponseSchema = Type.Object({
  model_loads: Type.Integer(),
  loads_saved: Type.Integer(),
  servers: Type.Array(ServerDispatchStatsSchema),
  all_done_by: Type.Union([Type.String(), Type.Null()], { description: 'when every pending and running job should be done' }),
  /** With ?forecast=N: the first N waiting jobs' expected start and end, in dispatch order. */
  forecast: Type.Optional(Type.Array(Type.Object({
    mobilesd_job_id: Type.String(),
    estimated_start_time: Type.String(),
    estimated_completion_time: Type.String(),
  }))),
});

export const DispatchStatsQuerySchema = Type.Object({
  forecast: Type.Optional(Type.Integer({ minimum: 0, maximum: 2000, description: 'how many waiting jobs to forecast (default none)' })),
}, { additionalProperties: false });
export type DispatchStatsQuery = Type.Static<typeof DispatchStatsQuerySchema>;
export type DispatchStatsResponse = Type.Static<typeof DispatchStatsResponseSchema>;
