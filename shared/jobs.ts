import Type from 'typebox';
import { ImageKindSchema } from './images.ts';
import { JobDisplaySchema } from './job-display.ts';
import { JobEditSchema } from './job-edits.ts';
import { LIMITS } from './limits.ts';
import { AppTypeSchema, ServerTagSchema } from './servers.ts';

export const JobStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('held'),
  Type.Literal('downloading_resources'),
  Type.Literal('processing'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type JobStatus = Type.Static<typeof JobStatusSchema>;
/** Every status once, in the order a job moves through them. */
export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'held', 'downloading_resources', 'processing', 'completed', 'failed', 'cancelled'];
/** A job that still waits or runs: it can be cancelled, and it counts against a key's limit. */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['pending', 'held', 'downloading_resources', 'processing'];
/**
 * A job that has not started and keeps its place in line: it can be edited and moved. A held
 * one is never dispatched until released; a pending one runs when its turn comes.
 */
export const WAITING_STATUSES: readonly JobStatus[] = ['pending', 'held'];
/** A job that has ended: it can be retried (failed, cancelled), archived or cleared. */
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
/** A job that holds (or is getting) a server: running, or fetching a model it needs first. */
export const RUNNING_STATUSES: readonly JobStatus[] = ['processing', 'downloading_resources'];

export const isFinishedStatus = (status: JobStatus): boolean => FINISHED_STATUSES.includes(status);
export const isActiveStatus = (status: JobStatus): boolean => ACTIVE_STATUSES.includes(status);
export const isWaitingStatus = (status: JobStatus): boolean => WAITING_STATUSES.includes(status);

/** How a job generates: from text alone, or from init images. */
export const JobModeSchema = Type.Union([Type.Literal('txt2img'), Type.Literal('img2img')]);
export type JobMode = Type.Static<typeof JobModeSchema>;

const prompt = Type.String({ maxLength: LIMITS.promptChars });
const side = Type.Integer({ minimum: LIMITS.minSide, maximum: LIMITS.maxSide });
/**
 * -1 (or '', null, any non-numeric text) means "pick one at random", as MobileSD's
 * clients send it; a numeric string is read as its number. The submit turns every one of
 * these into an integer; a non-integer or unsafe-size number is refused there. Null comes
 * first: the API coerces types, and a later null branch would let null become 0.
 */
const seed = Type.Union([
  Type.Null(),
  Type.Integer({ minimum: -1, maximum: LIMITS.maxSeed }),
  Type.String({ maxLength: 64 }),
]);

const civitaiVersionId = Type.Integer({ minimum: 1, description: 'Civitai model version id: fetched from Civitai when the server lacks the file' });
const civitaiAir = Type.String({ maxLength: 200, description: 'Civitai AIR, e.g. urn:air:sdxl:checkpoint:civitai:101055@128078' });
const modelHash = Type.String({ pattern: '^[0-9a-fA-F]{8,64}$', description: 'SHA256, AutoV2 (10 hex) or AutoV3 (12 hex)' });

export const LoraSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 512 }),
  weight: Type.Optional(Type.Number({ minimum: -10, maximum: 10 })),
  civitai_version_id: Type.Optional(civitaiVersionId),
  civitai_air: Type.Optional(civitaiAir),
  hash: Type.Optional(modelHash),
});
export type Lora = Type.Static<typeof LoraSchema>;

/**
 * MobileSD's flat generation fields. Any other A1111 payload field (alwayson_scripts of
 * ControlNet/ADetailer, hires fix, refiner…) is accepted and passed through untouched.
 * For ComfyUI, `workflow` holds an API-format graph.
 */
export const GenerationParamsSchema = Type.Object(
  {
    positive_prompt: Type.Optional(prompt),
    negative_prompt: Type.Optional(prompt),
    checkpoint_name: Type.Optional(Type.String({ maxLength: 1024 })),
    /** On-demand models: how to find the checkpoint on Civitai if the server lacks it. */
    checkpoint_civitai_version_id: Type.Optional(civitaiVersionId),
    civitai_air: Type.Optional(civitaiAir),
    checkpoint_hash: Type.Optional(modelHash),
    width: Type.Optional(side),
    height: Type.Optional(side),
    steps: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxSteps })),
    cfg_scale: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    distilled_cfg_scale: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    sampler_name: Type.Optional(Type.String({ maxLength: 128 })),
    scheduler: Type.Optional(Type.String({ maxLength: 128 })),
    seed: Type.Optional(seed),
    subseed: Type.Optional(seed),
    subseed_strength: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxBatchSize })),
    n_iter: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.maxIterations })),
    restore_faces: Type.Optional(Type.Boolean()),
    denoising_strength: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    init_images: Type.Optional(Type.Array(Type.String(), { maxItems: 8 })),
    loras: Type.Optional(Type.Array(LoraSchema, { maxItems: LIMITS.maxLoras })),
    vae: Type.Optional(Type.String({ maxLength: 1024 })),
    workflow: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    workflow_ui: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** A saved ComfyUI template (id or name) instead of `workflow`; the flat fields are put into its nodes. */
    workflow_template: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1, maxLength: 200 })])),
    /** Values for the inputs named on the template: {"input name": value}. */
    template_inputs: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: LIMITS.promptChars }), Type.Number(), Type.Boolean()]), { maxProperties: 64 })),
    /** Prompt styles by name: StableQueue's own are applied at submit; others are left for a Forge server's styles.csv. */
    styles: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 32 })),
    randomize_seed: Type.Optional(Type.Boolean()),
    /** Also keep the grid and detected maps (ControlNet) the server returns, saved as labelled images of the job. */
    keep_extra_images: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
export type GenerationParams = Type.Static<typeof GenerationParamsSchema> & Record<string, unknown>;

export const PrioritySchema = Type.Integer({ minimum: LIMITS.priorityMin, maximum: LIMITS.priorityMax });

/** An ISO 8601 time with its offset (e.g. 2026-05-01T23:00:00+02:00): the job waits until then, then runs in its turn. */
export const NotBeforeSchema = Type.String({ format: 'date-time', maxLength: 40, description: 'earliest start, ISO 8601 with offset' });

/** POST /api/v1/generate and /api/v2/generate. `target_server_alias` "auto" lets StableQueue choose. */
export const GenerateRequestSchema = Type.Object(
  {
    target_server_alias: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    app_type: Type.Optional(AppTypeSchema),
    priority: Type.Optional(PrioritySchema),
    generation_params: GenerationParamsSchema,
    source_info: Type.Optional(Type.String({ maxLength: 256 })),
    mode: Type.Optional(JobModeSchema),
    /** Free-form data the client keeps with the job (returned as sent, never sent to a server). */
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Gets the job's result (JSON, like a webhook's body) when it finishes or fails. */
    callback_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    /** Send the images along with the callback, as multipart/form-data. */
    callback_images: Type.Optional(Type.Boolean()),
    /** Store the job held: safe in the queue, in its place, but not run until released. */
    hold: Type.Optional(Type.Boolean()),
    not_before: Type.Optional(NotBeforeSchema),
    /** Only servers carrying every one of these tags may run the job (e.g. ["flux", "24gb"]). */
    requires_tags: Type.Optional(Type.Array(ServerTagSchema, { maxItems: 16, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type GenerateRequest = Type.Static<typeof GenerateRequestSchema>;

export const GenerateV1ResponseSchema = Type.Object({ mobilesd_job_id: Type.String() });
export const GenerateV2ResponseSchema = Type.Object({
  success: Type.Boolean(),
  mobilesd_job_id: Type.String(),
  queue_position: Type.Integer(),
  estimated_start_time: Type.Union([Type.String(), Type.Null()]),
});

export const JobImageSchema = Type.Object({
  id: Type.Integer(),
  index: Type.Integer(),
  kind: ImageKindSchema,
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  seed: Type.Union([Type.Number(), Type.Null()]),
  preview_url: Type.String(),
  download_url: Type.String(),
  thumbnail_url: Type.String(),
});
export type JobImage = Type.Static<typeof JobImageSchema>;

/** The `metadata` a client sent with the job, as sent; null when it sent none. */
export const JobMetadataSchema = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

/** One row of the queue list and of the SSE job events. */
export const JobSummarySchema = Type.Object({
  mobilesd_job_id: Type.String(),
  app_type: AppTypeSchema,
  status: JobStatusSchema,
  priority: Type.Integer(),
  position: Type.Number(),
  target_server_alias: Type.String(),
  assigned_server_alias: Type.Union([Type.String(), Type.Null()]),
  creation_timestamp: Type.String(),
  last_updated_timestamp: Type.String(),
  started_timestamp: Type.Union([Type.String(), Type.Null()]),
  completion_timestamp: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  error_message: Type.Union([Type.String(), Type.Null()]),
  source_info: Type.Union([Type.String(), Type.Null()]),
  positive_prompt: Type.String(),
  checkpoint_name: Type.Union([Type.String(), Type.Null()]),
  image_count: Type.Integer(),
  first_image_id: Type.Union([Type.Integer(), Type.Null()]),
  progress: Type.Number({ description: '0..100' }),
  eta_seconds: Type.Union([Type.Number(), Type.Null()]),
  status_text: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'e.g. "Queued on server" while processing' })),
  queue_position: Type.Optional(Type.Union([Type.Integer(), Type.Null()], {
    description: '1-based place among all pending jobs in dispatch order (null when not pending); in queue list rows, not in events',
  })),
  estimated_start_time: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'when a pending job should start, from the learned run times (a running job: when it started); in queue list rows, not in events',
  })),
  estimated_completion_time: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'when a pending or running job should be done; in queue list rows, not in events',
  })),
  metadata: Type.Optional(JobMetadataSchema),
  script_warnings: Type.Optional(Type.Array(Type.String(), {
    description: "always-on script arguments that did not fit the server's version of the extension (also in result_details)",
  })),
  not_before: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the job does not start before this time (null: no wait)' })),
  batch_id: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the batch (POST /api/v1/batches) the job was made in; null when made alone' })),
  requires_tags: Type.Optional(Type.Array(Type.String(), { description: 'tags every server that runs it must have' })),
  wait_reason: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'why a pending job cannot start on any server now (e.g. "Waiting — waits until 23:00 (gpu-1 runs jobs 23:00–07:00)"); null when a server may take it',
  })),
});
export type JobSummary = Type.Static<typeof JobSummarySchema>;

export const JobListResponseSchema = Type.Object({
  jobs: Type.Array(JobSummarySchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  paused: Type.Boolean(),
  counts: Type.Record(Type.String(), Type.Integer()),
  all_done_by: Type.Optional(Type.Union([Type.String(), Type.Null()], {
    description: 'when every pending and running job should be done (while paused: if resumed now); null when none is',
  })),
});
export type JobListResponse = Type.Static<typeof JobListResponseSchema>;

/** The model download a job waiting in downloading_resources waits for, live. */
export const ResourceDownloadSchema = Type.Object({
  download_id: Type.String(),
  file_name: Type.String(),
  bytes_done: Type.Number(),
  total_bytes: Type.Union([Type.Number(), Type.Null()]),
  speed_bps: Type.Union([Type.Number(), Type.Null()]),
  eta_seconds: Type.Union([Type.Number(), Type.Null()]),
});
export type ResourceDownload = Type.Static<typeof ResourceDownloadSchema>;

/** GET /api/v1/queue/jobs/:id/status — the shape MobileSD's clients read. */
export const JobStatusResponseSchema = Type.Object({
  mobilesd_job_id: Type.String(),
  app_type: AppTypeSchema,
  status: JobStatusSchema,
  progress: Type.Number(),
  creation_timestamp: Type.String(),
  last_updated_timestamp: Type.String(),
  completion_timestamp: Type.Union([Type.String(), Type.Null()]),
  /** A pending job: when it should start (the queue played forward with the learned run times); a running one: when it started. */
  estimated_start_time: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  estimated_completion_time: Type.Union([Type.String(), Type.Null()]),
  status_text: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** While the job waits in downloading_resources: the download's bytes, speed and ETA. */
  resource_download: Type.Optional(Type.Union([ResourceDownloadSchema, Type.Null()])),
  target_server_alias: Type.String(),
  assigned_server_alias: Type.Union([Type.String(), Type.Null()]),
  priority: Type.Integer(),
  queue_position: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
  error_message: Type.Union([Type.String(), Type.Null()]),
  source_info: Type.Union([Type.String(), Type.Null()]),
  generation_params: Type.Record(Type.String(), Type.Unknown()),
  result_details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  preview_url: Type.Union([Type.String(), Type.Null()]),
  images: Type.Array(JobImageSchema),
  /** A workflow job's prompt, models and settings read from its graph; null when generation_params say them. */
  display: Type.Optional(Type.Union([JobDisplaySchema, Type.Null()])),
  metadata: Type.Optional(JobMetadataSchema),
  /** The edits made while the job waited, oldest first (empty when never edited). */
  edit_history: Type.Optional(Type.Array(JobEditSchema)),
  not_before: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'the job does not start before this time (null: no wait)' })),
});
export type JobStatusResponse = Type.Static<typeof JobStatusResponseSchema>;

/**
 * GET /api/v2/queue/jobs/:jobId/status: the v1 status plus what varies by application
 * (ComfyUI: prompt_id, node count, output node ids; Forge: the resolved checkpoint title,
 * the extensions in alwayson_scripts…).
 */
export const JobStatusV2ResponseSchema = Type.Object({
  ...JobStatusResponseSchema.properties,
  metadata: JobMetadataSchema,
  application_specific_data: Type.Record(Type.String(), Type.Unknown()),
});
export type JobStatusV2Response = Type.Static<typeof JobStatusV2ResponseSchema>;

/**
 * PATCH /api/v1/queue/jobs/:id: changes a job that has not started (pending or held).
 * `generation_params` are merged into the stored ones (a field sent replaces the stored
 * field); the result is checked like a new job's. The job keeps its place unless its
 * priority changes. `not_before: null` removes a start time.
 */
export const EditJobRequestSchema = Type.Object(
  {
    generation_params: Type.Optional(GenerationParamsSchema),
    target_server_alias: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    priority: Type.Optional(PrioritySchema),
    not_before: Type.Optional(Type.Union([Type.Null(), NotBeforeSchema])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EditJobRequest = Type.Static<typeof EditJobRequestSchema>;

export const ReorderRequestSchema = Type.Union([
  Type.Object({ to: Type.Union([Type.Literal('top'), Type.Literal('bottom')]) }, { additionalProperties: false }),
  Type.Object({ before: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
  Type.Object({ after: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
]);
export type ReorderRequest = Type.Static<typeof ReorderRequestSchema>;

/** GET /api/v1/queue/state (and the queue.state event): paused or not, and jobs per status. */
export const QueueStateSchema = Type.Object({ paused: Type.Boolean(), counts: Type.Record(Type.String(), Type.Integer()) });
export type QueueState = Type.Static<typeof QueueStateSchema>;
