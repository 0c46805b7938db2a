import Type from 'typebox';
import { LIMITS } from './limits.ts';

/**
 * What the Generate page keeps besides jobs: prompt styles (Forge's styles.csv rows),
 * ComfyUI workflows saved as templates with a form, and whole-form presets.
 */

const name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const text = Type.String({ maxLength: LIMITS.promptChars });
const timestamps = { created_at: Type.String(), updated_at: Type.String() };

/** A prompt style as Forge's styles.csv has it: `{prompt}` in a style marks where the user's prompt goes. */
export const StyleSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prompt: Type.String(),
  negative_prompt: Type.String(),
  ...timestamps,
});
export type Style = Type.Static<typeof StyleSchema>;

export const StyleInputSchema = Type.Object(
  { name, prompt: Type.Optional(text), negative_prompt: Type.Optional(text) },
  { additionalProperties: false },
);
export type StyleInput = Type.Static<typeof StyleInputSchema>;

export const StyleListSchema = Type.Object({ styles: Type.Array(StyleSchema) });
export const StyleImportResultSchema = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  styles: Type.Array(StyleSchema),
});
export type StyleImportResult = Type.Static<typeof StyleImportResultSchema>;

/** A style of a server (`/sdapi/v1/prompt-styles`), offered next to StableQueue's own. */
export const ServerStyleSchema = Type.Object({ name: Type.String(), prompt: Type.String(), negative_prompt: Type.String() });
export type ServerStyle = Type.Static<typeof ServerStyleSchema>;

/** The flat generation fields a template's workflow can take (found by reading its graph). */
export const TEMPLATE_FIELDS = [
  'positive_prompt', 'negative_prompt', 'seed', 'steps', 'cfg_scale', 'sampler_name', 'scheduler',
  'denoising_strength', 'width', 'height', 'batch_size', 'checkpoint_name',
] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export const InputSlotSchema = Type.Object({ node_id: Type.String(), input: Type.String() });

/** An input the user named on a template: any node input, set by `template_inputs[name]`. */
export const TemplateExtraInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_][A-Za-z0-9_ .-]*$' }),
    node_id: Type.String({ minLength: 1, maxLength: 64 }),
    input: Type.String({ minLength: 1, maxLength: 128 }),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type TemplateExtraInput = Type.Static<typeof TemplateExtraInputSchema>;

export const ComfyTemplateSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  workflow: Type.Record(Type.String(), Type.Unknown()),
  extra_inputs: Type.Array(TemplateExtraInputSchema),
  /** Where each flat field goes, as the graph reader found it. */
  detected: Type.Record(Type.String(), Type.Array(InputSlotSchema)),
  /** The workflow's own values of the detected fields and the extra inputs (the form's defaults). */
  defaults: Type.Record(Type.String(), Type.Unknown()),
  ...timestamps,
});
export type ComfyTemplate = Type.Static<typeof ComfyTemplateSchema>;

export const ComfyTemplateInputSchema = Type.Object(
  {
    name,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    workflow: Type.Record(Type.String(), Type.Unknown()),
    extra_inputs: Type.Optional(Type.Array(TemplateExtraInputSchema, { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type ComfyTemplateInput = Type.Static<typeof ComfyTemplateInputSchema>;

export const ComfyTemplateListSchema = Type.Object({ templates: Type.Array(ComfyTemplateSchema) });

/** The whole Generate form, saved under a name (shared as JSON). */
export const FormPresetSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  form: Type.Record(Type.String(), Type.Unknown()),
  ...timestamps,
});
export type FormPreset = Type.Static<typeof FormPresetSchema>;
export const FormPresetInputSchema = Type.Object(
  { name, form: Type.Record(Type.String(), Type.Unknown(), { maxProperties: 200 }) },
  { additionalProperties: false },
);
export type FormPresetInput = Type.Static<typeof FormPresetInputSchema>;
export const FormPresetListSchema = Type.Object({ presets: Type.Array(FormPresetSchema) });

/** A server's extensions the Generate page can drive, and their lists (hidden when absent). */
export const ServerCapabilitiesSchema = Type.Object({
  alias: Type.String(),
  controlnet: Type.Union([Type.Object({ models: Type.Array(Type.String()), modules: Type.Array(Type.String()) }), Type.Null()]),
  adetailer: Type.Union([Type.Object({ models: Type.Array(Type.String()) }), Type.Null()]),
  upscalers: Type.Array(Type.String()),
  styles: Type.Array(ServerStyleSchema),
});
export type ServerCapabilities = Type.Static<typeof ServerCapabilitiesSchema>;
