import Type from 'typebox';

/**
 * What a job makes, in the generic field names, for jobs whose parameters do not say it
 * directly: a ComfyUI workflow read along its links. Shown by the job detail and the
 * gallery; the workflow itself is sent unchanged. Fields that cannot be known are absent.
 */
export const JobDisplaySchema = Type.Object({
  positive_prompt: Type.Optional(Type.String()),
  negative_prompt: Type.Optional(Type.String()),
  /** The checkpoint, or the diffusion model when it is loaded alone (UNETLoader). */
  checkpoint_name: Type.Optional(Type.String()),
  loras: Type.Optional(Type.Array(Type.Object({ name: Type.String(), weight: Type.Union([Type.Number(), Type.Null()]) }))),
  text_encoders: Type.Optional(Type.Array(Type.String())),
  vae: Type.Optional(Type.String()),
  width: Type.Optional(Type.Number()),
  height: Type.Optional(Type.Number()),
  batch_size: Type.Optional(Type.Number()),
  steps: Type.Optional(Type.Number()),
  cfg_scale: Type.Optional(Type.Number()),
  distilled_cfg_scale: Type.Optional(Type.Number()),
  sampler_name: Type.Optional(Type.String()),
  scheduler: Type.Optional(Type.String()),
  seed: Type.Optional(Type.Number()),
  denoising_strength: Type.Optional(Type.Number()),
  /** The input image's name on the server (img2img, inpainting). */
  init_image: Type.Optional(Type.String()),
});
export type JobDisplay = Type.Static<typeof JobDisplaySchema>;
