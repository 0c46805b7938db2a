/**
 * The Generate form's init image and inpaint mask. Kept apart from the form store: the
 * form is remembered in localStorage, and a photo plus its mask would not fit there (nor
 * should it come back days later). The image is sent as the user gave it (same bytes,
 * full resolution); the mask is painted on a downscaled copy and scaled back on submit.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { GenerateRequest } from '../../../shared/jobs.ts';
import { imageAsDataUrl } from '../api/images.ts';
import { blobAsDataUrl } from '../lib/blob-data-url.ts';
import { useGenerate } from './generate.ts';

export interface InitImage {
  /** data:image/...;base64 of the original bytes */
  dataUrl: string;
  name: string;
  width: number;
  height: number;
}

/** A1111's `resize_mode`: how the init image is fitted to the job's width × height. */
export const RESIZE_MODES = [
  { value: 0, label: 'Just resize' },
  { value: 1, label: 'Crop and resize' },
  { value: 2, label: 'Resize and fill' },
  { value: 3, label: 'Just resize (latent upscale)' },
] as const;

/** A1111's `inpainting_fill`: what the masked area starts from. */
export const MASKED_CONTENT = [
  { value: 1, label: 'Original' },
  { value: 0, label: 'Fill' },
  { value: 2, label: 'Latent noise' },
  { value: 3, label: 'Latent nothing' },
] as const;

export interface Img2ImgSettings {
  denoise: number;
  resizeMode: number;
  /** Inpainting only */
  maskBlur: number;
  maskedContent: number;
  /** true = "Only masked" (inpaint_full_res) */
  onlyMasked: boolean;
  padding: number;
  /** true = inpaint what is NOT painted (inpainting_mask_invert) */
  invertMask: boolean;
}

export const defaultImg2ImgSettings = (): Img2ImgSettings => ({
  denoise: 0.75, resizeMode: 0, maskBlur: 4, maskedContent: 1, onlyMasked: false, padding: 32, invertMask: false,
});

/** Reads a picture's pixel size (the browser decodes it). */
export function measureImage(dataUrl: string): Promise<{ width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => reject(new Error('That file is not an image the browser can read.'));
    img.src = dataUrl;
  });
}

/** The img2img fields of a generate request; pure, so it can be tested without a browser. */
export function img2imgParams(image: InitImage, mask: string | null, s: Img2ImgSettings): Record<string, unknown> {
  const params: Record<string, unknown> = {
    init_images: [image.dataUrl],
    denoising_strength: s.denoise,
    resize_mode: s.resizeMode,
  };
  if (mask) {
    Object.assign(params, {
      mask,
      mask_blur: s.maskBlur,
      inpainting_fill: s.maskedContent,
      inpaint_full_res: s.onlyMasked,
      inpaint_full_res_padding: s.padding,
      inpainting_mask_invert: s.invertMask ? 1 : 0,
    });
  }
  return params;
}

export const useImg2Img = defineStore('img2img', () => {
  const image = ref<InitImage | null>(null);
  const inpaint = ref(false);
  const settings = ref<Img2ImgSettings>(defaultImg2ImgSettings());
  /** Set by the mask painter: renders the painted mask at the image's full size (null when nothing is painted). */
  const maskExporter = ref<(() => Promise<string | null>) | null>(null);
  const loading = ref(false);

  const active = computed(() => image.value !== null);

  async function setFromBlob(blob: Blob, name: string): Promise<void> {
    if (!blob.type.startsWith('image/')) throw new Error(`"${name}" is not an image.`);
    loading.value = true;
    try {
      const dataUrl = await blobAsDataUrl(blob);
      const { width, height } = await measureImage(dataUrl);
      image.value = { dataUrl, name, width, height };
    } finally {
      loading.value = false;
    }
  }

  /**
   * "Send to img2img": a stored image (gallery, job result) becomes the init image. The form
   * turns to Forge / A1111 if it was on ComfyUI: only there does an init image go as a field.
   */
  async function sendToImg2img(imageId: number): Promise<void> {
    loading.value = true;
    try {
      const { dataUrl, name } = await imageAsDataUrl(imageId);
      const { width, height } = await measureImage(dataUrl);
      image.value = { dataUrl, name, width, height };
      const form = useGenerate().form;
      if (form.appType !== 'forge') Object.assign(form, { appType: 'forge', target: 'auto' });
    } finally {
      loading.value = false;
    }
  }

  function clear(): void {
    image.value = null;
    inpaint.value = false;
  }

  /** Adds the init image (and the mask, when inpainting) to a request built from the form. */
  async function applyTo(request: GenerateRequest): Promise<GenerateRequest> {
    // On ComfyUI only a template takes the image (StableQueue uploads it to its LoadImage node).
    const template = request.app_type === 'comfyui' && request.generation_params.workflow_template !== undefined;
    if (!image.value || (request.app_type !== 'forge' && !template)) return request;
    const mask = inpaint.value && maskExporter.value ? await maskExporter.value() : null;
    const params = request.generation_params as Record<string, unknown>;
    // img2img has no hires pass; its denoising strength is the img2img one.
    for (const key of Object.keys(params)) if (key === 'enable_hr' || key.startsWith('hr_')) delete params[key];
    Object.assign(params, img2imgParams(image.value, mask, settings.value));
    request.mode = 'img2img';
    return request;
  }

  return { image, inpaint, settings, maskExporter, loading, active, setFromBlob, sendToImg2img, clear, applyTo };
});
