import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { GenerateRequest, GenerationParams } from '../../../shared/jobs.ts';
import { LIMITS } from '../../../shared/limits.ts';
import type { AppType } from '../../../shared/servers.ts';
import { useApi } from '../api/client.ts';
import { checkWorkflow } from '../lib/workflow.ts';
import { useForgeExtensions } from './forge-extensions.ts';
import { useImg2Img } from './img2img.ts';
import { useJobs } from './jobs.ts';
import { useServerCapabilities } from './server-capabilities.ts';

export interface LoraRow {
  name: string;
  weight: number;
  enabled: boolean;
}

export interface GenerateForm {
  /** 'auto' or a server alias */
  target: string;
  appType: AppType;
  priority: number;
  positive: string;
  negative: string;
  checkpoint: string;
  sampler: string;
  scheduler: string;
  /** -1 = random */
  seed: number;
  width: number;
  height: number;
  steps: number;
  cfg: number;
  batchSize: number;
  batchCount: number;
  loras: LoraRow[];
  // Forge extras
  hires: boolean;
  hrScale: number;
  hrUpscaler: string;
  denoise: number;
  hrSteps: number;
  useDistilledCfg: boolean;
  distilledCfg: number;
  /** 1 = off (CLIP_stop_at_last_layers) */
  clipSkip: number;
  restoreFaces: boolean;
  /** Forge: the VAE (A1111: sd_vae); more Forge modules (text encoders…) in `modules`. */
  vae: string;
  modules: string[];
  // ComfyUI
  comfyMode: 'simple' | 'workflow' | 'template';
  workflowText: string;
  workflowName: string;
  /** A saved ComfyUI template, by name (comfyMode 'template'), and the values of the inputs named on it. */
  template: string;
  templateInputs: Record<string, string | number | boolean>;
  /** Prompt styles by name, applied in this order when the job is submitted (the engine applies them). */
  styles: string[];
  /** Forge: seed variation (subseed; strength 0 = off) and the refiner (checkpoint '' = off). */
  subseed: number;
  subseedStrength: number;
  refiner: string;
  refinerSwitchAt: number;
}

export const defaultForm = (): GenerateForm => ({
  target: 'auto',
  appType: 'forge',
  priority: LIMITS.priorityDefault,
  positive: '',
  negative: '',
  checkpoint: '',
  sampler: '',
  scheduler: '',
  seed: -1,
  width: 1024,
  height: 1024,
  steps: 25,
  cfg: 7,
  batchSize: 1,
  batchCount: 1,
  loras: [],
  hires: false,
  hrScale: 2,
  hrUpscaler: 'Latent',
  denoise: 0.5,
  hrSteps: 0,
  useDistilledCfg: false,
  distilledCfg: 3.5,
  clipSkip: 1,
  restoreFaces: false,
  vae: '',
  modules: [],
  comfyMode: 'simple',
  workflowText: '',
  workflowName: '',
  template: '',
  templateInputs: {},
  styles: [],
  subseed: -1,
  subseedStrength: 0,
  refiner: '',
  refinerSwitchAt: 0.8,
});

export const FORM_STORAGE_KEY = 'stablequeue.generate.form.v1';

export type FormErrors = Partial<Record<keyof GenerateForm | 'form', string>>;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

export function validateForm(form: GenerateForm): FormErrors {
  const errors: FormErrors = {};
  const side = (v: number) => Number.isInteger(v) && v >= LIMITS.minSide && v <= LIMITS.maxSide;
  const usesWorkflow = form.appType === 'comfyui' && form.comfyMode === 'workflow';
  if (usesWorkflow) {
    const check = checkWorkflow(form.workflowText);
    if (!check.ok) errors.workflowText = check.message;
    return errors;
  }
  if (form.appType === 'comfyui' && form.comfyMode === 'template' && !form.template) errors.template = 'Choose a ComfyUI template, or switch to another mode.';
  if (!side(form.width)) errors.width = `Width must be ${LIMITS.minSide}–${LIMITS.maxSide}.`;
  if (!side(form.height)) errors.height = `Height must be ${LIMITS.minSide}–${LIMITS.maxSide}.`;
  if (!Number.isInteger(form.steps) || form.steps < 1 || form.steps > LIMITS.maxSteps) errors.steps = `Steps must be 1–${LIMITS.maxSteps}.`;
  if (!(form.cfg >= 0 && form.cfg <= 100)) errors.cfg = 'CFG must be 0–100.';
  if (!Number.isInteger(form.batchSize) || form.batchSize < 1 || form.batchSize > LIMITS.maxBatchSize) errors.batchSize = `Batch size must be 1–${LIMITS.maxBatchSize}.`;
  if (!Number.isInteger(form.batchCount) || form.batchCount < 1 || form.batchCount > LIMITS.maxIterations) errors.batchCount = `Batch count must be 1–${LIMITS.maxIterations}.`;
  if (!Number.isInteger(form.seed) || form.seed < -1) errors.seed = 'Seed must be a whole number, or -1 for random.';
  if (form.positive.length > LIMITS.promptChars) errors.positive = `The prompt is longer than ${LIMITS.promptChars} characters.`;
  if (form.negative.length > LIMITS.promptChars) errors.negative = `The negative prompt is longer than ${LIMITS.promptChars} characters.`;
  if (form.loras.filter((l) => l.enabled && l.name).length > LIMITS.maxLoras) errors.loras = `At most ${LIMITS.maxLoras} LoRAs.`;
  return errors;
}

/** The form → the POST /api/v1/generate body. Pure, so it is easy to test. */
export function buildRequest(form: GenerateForm): GenerateRequest {
  const params: GenerationParams = {};
  const usesWorkflow = form.appType === 'comfyui' && form.comfyMode === 'workflow';
  if (usesWorkflow) {
    const check = checkWorkflow(form.workflowText);
    if (check.ok) params.workflow = check.workflow;
    if (form.seed >= 0) params.seed = form.seed;
  } else {
    params.positive_prompt = form.positive;
    if (form.negative.trim()) params.negative_prompt = form.negative;
    if (form.checkpoint) params.checkpoint_name = form.checkpoint;
    params.width = form.width;
    params.height = form.height;
    params.steps = form.steps;
    params.cfg_scale = form.cfg;
    if (form.sampler) params.sampler_name = form.sampler;
    if (form.scheduler) params.scheduler = form.scheduler;
    params.seed = form.seed;
    params.batch_size = form.batchSize;
    params.n_iter = form.batchCount;
    const loras = form.loras.filter((l) => l.enabled && l.name.trim()).map((l) => ({ name: l.name.trim(), weight: l.weight }));
    if (loras.length) params.loras = loras;
    if (form.styles.length) params.styles = [...form.styles];
    if (form.appType === 'forge') {
      if (form.restoreFaces) params.restore_faces = true;
      if (form.vae) params.vae = form.vae;
      if (form.useDistilledCfg) params.distilled_cfg_scale = form.distilledCfg;
      if (form.subseedStrength > 0) {
        params.subseed = form.subseed;
        params.subseed_strength = form.subseedStrength;
      }
      if (form.refiner) {
        params.refiner_checkpoint = form.refiner;
        params.refiner_switch_at = form.refinerSwitchAt;
      }
      const overrides: Record<string, unknown> = {};
      if (form.clipSkip > 1) overrides.CLIP_stop_at_last_layers = form.clipSkip;
      const modules = form.modules.filter((m) => m && m !== form.vae);
      if (modules.length) overrides.forge_additional_modules = modules;
      if (Object.keys(overrides).length) params.override_settings = overrides;
      if (form.hires) {
        params.enable_hr = true;
        params.hr_scale = form.hrScale;
        params.hr_upscaler = form.hrUpscaler;
        params.denoising_strength = form.denoise;
        params.hr_second_pass_steps = form.hrSteps;
      }
    }
    if (form.appType === 'comfyui' && form.comfyMode === 'template') {
      // The engine writes these fields into the template's nodes; it has no LoRA slot.
      params.workflow_template = form.template;
      delete params.loras;
      if (Object.keys(form.templateInputs).length) params.template_inputs = { ...form.templateInputs };
    }
  }
  return {
    target_server_alias: form.target || 'auto',
    app_type: form.appType,
    priority: clamp(Math.round(form.priority), LIMITS.priorityMin, LIMITS.priorityMax),
    generation_params: params,
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A job's generation_params → form fields (for "use these settings" and "edit & requeue"). */
export function formFromParams(
  params: Record<string, unknown>,
  base: GenerateForm,
  meta: { appType?: AppType; target?: string; seed?: number | null } = {},
): GenerateForm {
  // The whole form is reset, not patched: nothing from an earlier job (a hidden ComfyUI
  // workflow, another server) may ride along with these settings. Only the priority stays.
  const form: GenerateForm = { ...defaultForm(), priority: base.priority };
  form.appType = meta.appType ?? 'forge';
  form.target = meta.target ?? 'auto';
  if (typeof params.workflow_template === 'string' || typeof params.workflow_template === 'number') {
    form.appType = 'comfyui';
    form.comfyMode = 'template';
    form.template = String(params.workflow_template);
    const inputs = params.template_inputs;
    form.templateInputs = inputs && typeof inputs === 'object' && !Array.isArray(inputs) ? { ...(inputs as GenerateForm['templateInputs']) } : {};
  } else if (params.workflow && typeof params.workflow === 'object') {
    form.appType = 'comfyui';
    form.comfyMode = 'workflow';
    form.workflowText = JSON.stringify(params.workflow, null, 2);
    form.workflowName = 'From a previous job';
  } else if (form.appType === 'comfyui') {
    form.comfyMode = 'simple';
  }
  form.positive = str(params.positive_prompt) ?? str(params.prompt) ?? form.positive;
  form.negative = str(params.negative_prompt) ?? '';
  form.checkpoint = str(params.checkpoint_name) ?? form.checkpoint;
  form.sampler = str(params.sampler_name) ?? form.sampler;
  form.scheduler = str(params.scheduler) ?? form.scheduler;
  form.width = num(params.width) ?? form.width;
  form.height = num(params.height) ?? form.height;
  form.steps = num(params.steps) ?? form.steps;
  form.cfg = num(params.cfg_scale) ?? form.cfg;
  form.batchSize = num(params.batch_size) ?? 1;
  form.batchCount = num(params.n_iter) ?? 1;
  const seed = meta.seed ?? num(params.seed);
  form.seed = seed !== undefined && seed !== null ? seed : -1;
  if (Array.isArray(params.loras)) {
    form.loras = params.loras
      .filter((l): l is { name: string; weight?: number } => !!l && typeof (l as { name?: unknown }).name === 'string')
      .map((l) => ({ name: l.name, weight: num(l.weight) ?? 1, enabled: true }));
  }
  // Styles StableQueue applied are already in the prompt; only those left for the server come back.
  form.styles = Array.isArray(params.styles) ? params.styles.filter((s): s is string => typeof s === 'string') : [];
  form.restoreFaces = params.restore_faces === true;
  form.subseedStrength = num(params.subseed_strength) ?? 0;
  form.subseed = num(params.subseed) ?? -1;
  form.refiner = str(params.refiner_checkpoint) ?? '';
  form.refinerSwitchAt = num(params.refiner_switch_at) ?? form.refinerSwitchAt;
  form.vae = str(params.vae) ?? '';
  const distilled = num(params.distilled_cfg_scale);
  form.useDistilledCfg = distilled !== undefined;
  if (distilled !== undefined) form.distilledCfg = distilled;
  const overrides = (params.override_settings ?? {}) as Record<string, unknown>;
  form.clipSkip = num(overrides.CLIP_stop_at_last_layers) ?? 1;
  const modules = Array.isArray(overrides.forge_additional_modules) ? overrides.forge_additional_modules : [];
  form.modules = modules.filter((m): m is string => typeof m === 'string' && m !== form.vae);
  form.hires = params.enable_hr === true;
  if (form.hires) {
    form.hrScale = num(params.hr_scale) ?? form.hrScale;
    form.hrUpscaler = str(params.hr_upscaler) ?? form.hrUpscaler;
    form.denoise = num(params.denoising_strength) ?? form.denoise;
    form.hrSteps = num(params.hr_second_pass_steps) ?? form.hrSteps;
  }
  return form;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStorage(): StorageLike | null {
  try {
    const s = (globalThis as { localStorage?: StorageLike }).localStorage;
    return s && typeof s.getItem === 'function' ? s : null;
  } catch {
    return null;
  }
}

let storageOverride: StorageLike | null | undefined;
/** Tests inject a storage (or null for none). */
export function setFormStorage(storage: StorageLike | null): void {
  storageOverride = storage;
}

function loadForm(storage: StorageLike | null): GenerateForm {
  const base = defaultForm();
  if (!storage) return base;
  try {
    const raw = storage.getItem(FORM_STORAGE_KEY);
    if (!raw) return base;
    const saved = JSON.parse(raw) as Partial<GenerateForm>;
    const merged = { ...base } as Record<string, unknown>;
    for (const [k, v] of Object.entries(saved)) {
      if (k in base && typeof v === typeof (base as unknown as Record<string, unknown>)[k]) merged[k] = v;
    }
    return merged as unknown as GenerateForm;
  } catch {
    return base;
  }
}

export const useGenerate = defineStore('generate', () => {
  const api = useApi();
  const storage = storageOverride === undefined ? defaultStorage() : storageOverride;
  const form = ref<GenerateForm>(loadForm(storage));
  const submitting = ref(0);
  const lastJobId = ref<string | null>(null);
  /** Jobs queued from this tab in this session, newest first. */
  const recent = ref<string[]>([]);
  /** The seed of the last finished image, for the "recycle" button. */
  const lastSeed = ref<number | null>(null);
  const touched = ref(false);

  const errors = computed(() => validateForm(form.value));
  const valid = computed(() => Object.keys(errors.value).length === 0);
  const workflowCheck = computed(() => (form.value.workflowText.trim() ? checkWorkflow(form.value.workflowText) : null));

  // Saved a moment after typing stops, and at once when the page goes away (reload, tab
  // closed, app hidden): a prompt typed just before a reload must survive it.
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  function saveNow(): void {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!storage) return;
    try {
      storage.setItem(FORM_STORAGE_KEY, JSON.stringify(form.value));
    } catch {
      /* quota (a huge workflow): the form still works, it just is not remembered */
    }
  }
  watch(
    form,
    () => {
      if (!storage) return;
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = setTimeout(saveNow, 250);
    },
    { deep: true },
  );
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', () => saveTimer && saveNow());
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && saveTimer && saveNow());
  }

  /** The form as a request, with what lives outside it: the init image and mask, ControlNet and ADetailer. */
  async function fullRequest(): Promise<GenerateRequest> {
    const request = await useImg2Img().applyTo(buildRequest(form.value));
    const caps = useServerCapabilities().of(form.value.target);
    return useForgeExtensions().applyTo(request, { controlnet: !!caps?.controlnet, adetailer: !!caps?.adetailer });
  }

  /** Queue the form as it is now. The button stays usable: many jobs can be queued in a row. */
  async function submit(): Promise<string> {
    touched.value = true;
    if (!valid.value) {
      const first = Object.values(errors.value)[0];
      throw new Error(first ?? 'Check the form.');
    }
    const request = await fullRequest();
    submitting.value++;
    try {
      const res = await api.generate(request);
      const id = res.mobilesd_job_id;
      lastJobId.value = id;
      recent.value = [id, ...recent.value.filter((x) => x !== id)].slice(0, 20);
      void useJobs().track(id);
      return id;
    } finally {
      submitting.value--;
    }
  }

  function applyParams(params: Record<string, unknown>, meta: { appType?: AppType; target?: string; seed?: number | null } = {}): void {
    form.value = formFromParams(params, form.value, meta);
  }

  function reset(): void {
    const keep = { target: form.value.target, appType: form.value.appType };
    form.value = { ...defaultForm(), ...keep };
  }

  function addLora(name = '', weight = 1): void {
    if (name && form.value.loras.some((l) => l.name === name)) return;
    form.value.loras.push({ name, weight, enabled: true });
  }

  function removeLora(index: number): void {
    form.value.loras.splice(index, 1);
  }

  function randomSeed(): void {
    form.value.seed = -1;
  }

  function swapSize(): void {
    const { width, height } = form.value;
    form.value.width = height;
    form.value.height = width;
  }

  return {
    form, submitting, lastJobId, recent, lastSeed, touched, errors, valid, workflowCheck,
    submit, fullRequest, applyParams, reset, addLora, removeLora, randomSeed, swapSize,
  };
});
