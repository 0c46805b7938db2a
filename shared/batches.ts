import Type from 'typebox';
import { GenerateRequestSchema } from './jobs.ts';

/**
 * Batches and grids: one base job and some axes, expanded into many jobs tagged with one
 * batch id. The names an axis may have, what its values mean, and the API's shapes.
 */

/** Most values one axis may list, and most axes one batch may have. */
export const BATCH_LIMITS = { axisValues: 1000, axes: 8, defaultMaxJobs: 1000, maxJobsCeiling: 100_000, previewJobs: 12 } as const;

/**
 * The axes a batch can vary, each a generation_params field except:
 * - `size`: "WxH" values, setting width and height together;
 * - `prompt_sr`: Prompt search/replace as in A1111's X/Y/Z plot: the first value is the
 *   text looked for in the prompts, every value (the first included, so the original
 *   prompt is one cell) replaces it;
 * - `lora:<name>`: the weight of that LoRA (added to `loras` when the base lacks it).
 */
export const BATCH_AXIS_FIELDS = [
  'positive_prompt', 'negative_prompt', 'seed', 'checkpoint_name', 'sampler_name', 'scheduler', 'steps', 'cfg_scale',
  'distilled_cfg_scale', 'denoising_strength', 'vae', 'size', 'prompt_sr',
] as const;
export type BatchAxisField = (typeof BATCH_AXIS_FIELDS)[number];
export const LORA_AXIS_PREFIX = 'lora:';

/** How an axis is named on contact sheets and in the UI (a lora:<name> axis is "<name> weight"). */
export const BATCH_AXIS_TITLES: Record<BatchAxisField, string> = {
  positive_prompt: 'Prompt', negative_prompt: 'Negative', seed: 'Seed', checkpoint_name: 'Checkpoint', sampler_name: 'Sampler',
  scheduler: 'Scheduler', steps: 'Steps', cfg_scale: 'CFG', distilled_cfg_scale: 'Distilled CFG', denoising_strength: 'Denoise',
  vae: 'VAE', size: 'Size', prompt_sr: 'Prompt S/R',
};
export const batchAxisTitle = (name: string): string =>
  name.startsWith(LORA_AXIS_PREFIX) ? `${name.slice(LORA_AXIS_PREFIX.length).trim()} weight` : BATCH_AXIS_TITLES[name as BatchAxisField] ?? name;

const axisValue = Type.Union([Type.String({ maxLength: 20_000 }), Type.Number()]);

export const BatchAxisSchema = Type.Union([
  Type.Array(axisValue, { minItems: 1, maxItems: BATCH_LIMITS.axisValues, description: 'the values, in order' }),
  Type.Object({ random: Type.Integer({ minimum: 1, maximum: BATCH_LIMITS.axisValues }) }, {
    additionalProperties: false, description: 'seed only: this many random seeds, chosen when the batch is made',
  }),
  Type.Object({ all_on_server: Type.Literal(true) }, {
    additionalProperties: false, description: "checkpoint_name only: every checkpoint of the batch's target server",
  }),
  Type.Object({ folder: Type.String({ minLength: 1, maxLength: 1024 }) }, {
    additionalProperties: false, description: "checkpoint_name only: the target server's checkpoints whose name starts with this folder, e.g. \"sdxl/\"",
  }),
]);
export type BatchAxis = Type.Static<typeof BatchAxisSchema>;

export const BatchModeSchema = Type.Union([Type.Literal('product'), Type.Literal('zip')], {
  description: 'product: every combination of the axes; zip: the i-th value of every axis together (all axes the same length)',
});
export type BatchMode = Type.Static<typeof BatchModeSchema>;

export const PromptModeSchema = Type.Union([Type.Literal('combinatorial'), Type.Literal('random')], {
  description: 'dynamic prompts ({a|b}, __wildcard__): combinatorial makes every variant (each one a value of the prompt axis); random picks one per job, repeatable with prompt_seed',
});
export type PromptMode = Type.Static<typeof PromptModeSchema>;

/** POST /api/v1/batches. */
export const BatchRequestSchema = Type.Object({
  base: GenerateRequestSchema,
  axes: Type.Record(Type.String({ minLength: 1, maxLength: 600 }), BatchAxisSchema, {
    maxProperties: BATCH_LIMITS.axes,
    description: `What varies, in order (the first two are the contact sheet's columns and rows). Keys: ${BATCH_AXIS_FIELDS.join(', ')}, or lora:<name> (weights). `
      + 'size values are "WxH"; prompt_sr values are a search/replace list whose first value is the text found in the prompts (A1111 Prompt S/R).',
  }),
  mode: Type.Optional(BatchModeSchema),
  prompt_mode: Type.Optional(PromptModeSchema),
  prompt_seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: 'random prompt_mode: the same seed picks the same variants' })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  dry_run: Type.Optional(Type.Boolean({ description: 'count and preview the jobs without making them' })),
}, { additionalProperties: false });
export type BatchRequest = Type.Static<typeof BatchRequestSchema>;

/** One axis as expanded: its values and how the contact sheet labels them. */
export const ExpandedAxisSchema = Type.Object({
  name: Type.String(),
  values: Type.Array(Type.Union([Type.String(), Type.Number()])),
  labels: Type.Array(Type.String()),
});
export type ExpandedAxis = Type.Static<typeof ExpandedAxisSchema>;

export const BatchJobPreviewSchema = Type.Object({
  positive_prompt: Type.String(),
  negative_prompt: Type.String(),
  /** What this job's axes are set to, in axis order, e.g. ["seed: 1", "checkpoint_name: a.safetensors"]. */
  labels: Type.Array(Type.String()),
  generation_params: Type.Record(Type.String(), Type.Unknown()),
});

export const BatchCreatedSchema = Type.Object({
  batch_id: Type.Union([Type.String(), Type.Null()], { description: 'null for a dry run' }),
  job_count: Type.Integer(),
  mobilesd_job_ids: Type.Array(Type.String()),
  axes: Type.Array(ExpandedAxisSchema),
  preview: Type.Array(BatchJobPreviewSchema, { description: `the first ${BATCH_LIMITS.previewJobs} jobs` }),
  max_jobs: Type.Integer(),
});
export type BatchCreated = Type.Static<typeof BatchCreatedSchema>;

const countsByStatus = Type.Record(Type.String(), Type.Integer());

export const BatchViewSchema = Type.Object({
  batch_id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
  mode: BatchModeSchema,
  job_count: Type.Integer(),
  counts: countsByStatus,
  /** Jobs that ended (completed, failed or cancelled), out of job_count. */
  done: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('finished')]),
  axes: Type.Array(ExpandedAxisSchema),
  target_server_alias: Type.String(),
  /** The contact sheets (grid images with axis labels), once the batch has finished: one per combination of the axes after the second. */
  contact_sheets: Type.Array(Type.Object({ image_id: Type.Integer(), title: Type.String(), url: Type.String(), thumbnail_url: Type.String() })),
});
export type BatchView = Type.Static<typeof BatchViewSchema>;

export const BatchListSchema = Type.Object({ batches: Type.Array(BatchViewSchema), total: Type.Integer() });
export type BatchList = Type.Static<typeof BatchListSchema>;

export const BatchActionSchema = Type.Union([Type.Literal('cancel'), Type.Literal('retry'), Type.Literal('hold'), Type.Literal('release')]);
export type BatchAction = Type.Static<typeof BatchActionSchema>;

/** The answer to a batch action: how many of its jobs it changed, and the batch after. */
export const BatchActionResultSchema = Type.Object({ changed: Type.Integer(), batch: BatchViewSchema });
export type BatchActionResult = Type.Static<typeof BatchActionResultSchema>;
