/**
 * ControlNet units and ADetailer passes for a Forge / A1111 job, sent in `alwayson_scripts`
 * the way the extensions' APIs take them. Not part of the remembered form: a unit holds
 * a control image, too big for localStorage.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { GenerateRequest } from '../../../shared/jobs.ts';

export const CONTROL_MODES = ['Balanced', 'My prompt is more important', 'ControlNet is more important'] as const;
export const CONTROL_RESIZE_MODES = ['Just Resize', 'Crop and Resize', 'Resize and Fill'] as const;

export interface ControlNetUnit {
  enabled: boolean;
  /** data: URL of the control image (null: the init image / none, for model-free modules) */
  image: string | null;
  imageName: string;
  module: string;
  model: string;
  weight: number;
  guidanceStart: number;
  guidanceEnd: number;
  controlMode: (typeof CONTROL_MODES)[number];
  resizeMode: (typeof CONTROL_RESIZE_MODES)[number];
  pixelPerfect: boolean;
}

export interface ADetailerPass {
  model: string;
  prompt: string;
  negative: string;
  confidence: number;
  denoise: number;
  maskBlur: number;
}

export const newControlNetUnit = (): ControlNetUnit => ({
  enabled: true, image: null, imageName: '', module: 'none', model: 'None', weight: 1, guidanceStart: 0, guidanceEnd: 1,
  controlMode: 'Balanced', resizeMode: 'Crop and Resize', pixelPerfect: true,
});
export const newADetailerPass = (model = 'face_yolov8n.pt'): ADetailerPass => ({
  model, prompt: '', negative: '', confidence: 0.3, denoise: 0.4, maskBlur: 4,
});

/** sd-webui-controlnet's API unit (also read by Forge's built-in ControlNet). */
export function controlNetArgs(units: ControlNetUnit[]): Record<string, unknown>[] {
  return units.filter((u) => u.enabled).map((u) => ({
    enabled: true,
    ...(u.image ? { image: u.image } : {}),
    module: u.module,
    model: u.model,
    weight: u.weight,
    resize_mode: u.resizeMode,
    guidance_start: u.guidanceStart,
    guidance_end: u.guidanceEnd,
    control_mode: u.controlMode,
    pixel_perfect: u.pixelPerfect,
  }));
}

/** ADetailer's API args: [enable, skip img2img, one dict per pass]. */
export function adetailerArgs(passes: ADetailerPass[]): unknown[] {
  return [true, false, ...passes.map((p) => ({
    ad_model: p.model,
    ad_prompt: p.prompt,
    ad_negative_prompt: p.negative,
    ad_confidence: p.confidence,
    ad_denoising_strength: p.denoise,
    ad_mask_blur: p.maskBlur,
  }))];
}

export const useForgeExtensions = defineStore('forge-extensions', () => {
  const controlnet = ref<ControlNetUnit[]>([]);
  const adetailerOn = ref(false);
  const adetailer = ref<ADetailerPass[]>([newADetailerPass()]);

  /** Adds the enabled units and passes to a Forge request built from the form. */
  function applyTo(request: GenerateRequest, available: { controlnet: boolean; adetailer: boolean }): GenerateRequest {
    if (request.app_type !== 'forge') return request;
    const params = request.generation_params as Record<string, unknown>;
    const scripts: Record<string, unknown> = { ...((params.alwayson_scripts as Record<string, unknown> | undefined) ?? {}) };
    const units = available.controlnet ? controlNetArgs(controlnet.value) : [];
    if (units.length) scripts.controlnet = { args: units };
    if (available.adetailer && adetailerOn.value && adetailer.value.length) scripts.ADetailer = { args: adetailerArgs(adetailer.value) };
    if (Object.keys(scripts).length) params.alwayson_scripts = scripts;
    return request;
  }

  return { controlnet, adetailerOn, adetailer, applyTo };
});
