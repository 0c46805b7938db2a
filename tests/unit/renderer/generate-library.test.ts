/**
 * The Generate page's request pieces, pure: img2img fields, ControlNet / ADetailer
 * alwayson_scripts, templates, styles, variations and refiner, and form presets.
 */
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { formWithPreset, parsePresetFile, presetFile, PRESET_FORMAT } from '../../../renderer/src/lib/form-preset.ts';
import { formWithTemplate } from '../../../renderer/src/stores/comfy-templates.ts';
import { adetailerArgs, controlNetArgs, newADetailerPass, newControlNetUnit, useForgeExtensions } from '../../../renderer/src/stores/forge-extensions.ts';
import { buildRequest, defaultForm, formFromParams, setFormStorage } from '../../../renderer/src/stores/generate.ts';
import { defaultImg2ImgSettings, img2imgParams } from '../../../renderer/src/stores/img2img.ts';
import { applyStyles, mergePrompts } from '../../../shared/prompt-styles.ts';

const IMAGE = { dataUrl: 'data:image/png;base64,AAAA', name: 'a.png', width: 640, height: 480 };

describe('img2img fields', () => {
  it('img2img alone sends the init image, denoising and resize mode; inpainting adds the mask and its options', () => {
    const s = { ...defaultImg2ImgSettings(), denoise: 0.3, resizeMode: 2 };
    expect(img2imgParams(IMAGE, null, s)).toEqual({ init_images: [IMAGE.dataUrl], denoising_strength: 0.3, resize_mode: 2 });
    const inpaint = img2imgParams(IMAGE, 'data:image/png;base64,MASK', { ...s, maskBlur: 8, maskedContent: 2, onlyMasked: true, padding: 16, invertMask: true });
    expect(inpaint).toMatchObject({ mask: 'data:image/png;base64,MASK', mask_blur: 8, inpainting_fill: 2, inpaint_full_res: true, inpaint_full_res_padding: 16, inpainting_mask_invert: 1 });
  });
});

describe('ControlNet and ADetailer', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('builds the extensions\' API shapes; disabled units are left out', () => {
    const unit = { ...newControlNetUnit(), image: 'data:image/png;base64,CN', module: 'canny', model: 'control_canny [abc]', weight: 0.6 };
    expect(controlNetArgs([unit, { ...unit, enabled: false }])).toEqual([{
      enabled: true, image: 'data:image/png;base64,CN', module: 'canny', model: 'control_canny [abc]', weight: 0.6,
      resize_mode: 'Crop and Resize', guidance_start: 0, guidance_end: 1, control_mode: 'Balanced', pixel_perfect: true,
    }]);
    const args = adetailerArgs([{ ...newADetailerPass('hand_yolov8n.pt'), prompt: 'hands' }]);
    expect(args.slice(0, 2)).toEqual([true, false]);
    expect(args[2]).toMatchObject({ ad_model: 'hand_yolov8n.pt', ad_prompt: 'hands', ad_confidence: 0.3 });
  });

  it('adds them to Forge requests only, and only for extensions the server has', () => {
    const ext = useForgeExtensions();
    ext.controlnet.push({ ...newControlNetUnit(), module: 'canny' });
    ext.adetailerOn = true;
    const forge = ext.applyTo(buildRequest(defaultForm()), { controlnet: true, adetailer: false });
    expect(Object.keys((forge.generation_params as Record<string, unknown>).alwayson_scripts as object)).toEqual(['controlnet']);
    const comfy = ext.applyTo(buildRequest({ ...defaultForm(), appType: 'comfyui' }), { controlnet: true, adetailer: true });
    expect((comfy.generation_params as Record<string, unknown>).alwayson_scripts).toBeUndefined();
  });
});

describe('styles (Forge merge_prompts)', () => {
  it('puts the prompt at {prompt}, else appends with ", " and drops empty parts', () => {
    expect(mergePrompts('photo of {prompt}, 35mm', 'a cat')).toBe('photo of a cat, 35mm');
    expect(mergePrompts('highly detailed', ' a cat ')).toBe('a cat, highly detailed');
    expect(mergePrompts('highly detailed', '')).toBe('highly detailed');
    expect(applyStyles('a cat', '', [{ prompt: '{prompt} at night', negative_prompt: 'day' }, { prompt: 'oil', negative_prompt: '' }]))
      .toEqual({ prompt: 'a cat at night, oil', negative_prompt: 'day' });
  });
});

describe('form → request for templates, styles, variations, refiner', () => {
  beforeEach(() => setFormStorage(null));

  it('a template job names the template, carries the flat fields and the named inputs, no LoRAs', () => {
    const form = { ...defaultForm(), appType: 'comfyui' as const, comfyMode: 'template' as const, template: 'Basic', templateInputs: { prefix: 'x' }, positive: 'a kite', loras: [{ name: 'l', weight: 1, enabled: true }] };
    const params = buildRequest(form).generation_params;
    expect(params).toMatchObject({ workflow_template: 'Basic', template_inputs: { prefix: 'x' }, positive_prompt: 'a kite' });
    expect(params.loras).toBeUndefined();
    expect(params.workflow).toBeUndefined();
    // And back: a stored template job (with its filled-in workflow) reopens as the template.
    const back = formFromParams({ ...params, workflow: { 1: { class_type: 'X', inputs: {} } } }, defaultForm(), { appType: 'comfyui' });
    expect(back).toMatchObject({ comfyMode: 'template', template: 'Basic', templateInputs: { prefix: 'x' }, positive: 'a kite' });
  });

  it('styles, seed variation and refiner go out for Forge and come back', () => {
    const form = { ...defaultForm(), styles: ['Film'], subseed: 12, subseedStrength: 0.2, refiner: 'sdxl_refiner.safetensors', refinerSwitchAt: 0.7 };
    const params = buildRequest(form).generation_params;
    expect(params).toMatchObject({ styles: ['Film'], subseed: 12, subseed_strength: 0.2, refiner_checkpoint: 'sdxl_refiner.safetensors', refiner_switch_at: 0.7 });
    expect(buildRequest(defaultForm()).generation_params).not.toHaveProperty('subseed_strength');
    expect(formFromParams(params, defaultForm())).toMatchObject({ styles: ['Film'], subseed: 12, subseedStrength: 0.2, refiner: 'sdxl_refiner.safetensors', refinerSwitchAt: 0.7 });
  });

  it('choosing a template fills the form with its saved values', () => {
    const next = formWithTemplate(defaultForm(), {
      name: 'Basic', extra_inputs: [{ name: 'prefix', node_id: '9', input: 'filename_prefix' }],
      defaults: { positive_prompt: 'a cat', negative_prompt: 'blurry', seed: 5, steps: 20, cfg_scale: 6, width: 512, height: 768, sampler_name: 'euler', prefix: 'ComfyUI' },
    });
    expect(next).toMatchObject({ comfyMode: 'template', template: 'Basic', positive: 'a cat', negative: 'blurry', seed: -1, steps: 20, cfg: 6, width: 512, height: 768, sampler: 'euler', templateInputs: { prefix: 'ComfyUI' } });
  });
});

describe('form presets', () => {
  it('round-trip through a shared file without the target and priority; other files are refused', () => {
    const form = { ...defaultForm(), positive: 'a lighthouse', steps: 40, target: 'gpu-1', priority: 9 };
    const file = presetFile('Lighthouse', form);
    expect(file.format).toBe(PRESET_FORMAT);
    expect(file.form).not.toHaveProperty('target');
    const read = parsePresetFile(JSON.stringify(file));
    const applied = formWithPreset({ ...defaultForm(), target: 'gpu-2', priority: 3 }, read.form as Record<string, unknown>);
    expect(applied).toMatchObject({ positive: 'a lighthouse', steps: 40, target: 'gpu-2', priority: 3 });
    expect(formWithPreset(defaultForm(), { steps: 'many', unknown: 1 } as Record<string, unknown>).steps).toBe(defaultForm().steps);
    expect(() => parsePresetFile('{"hello": 1}')).toThrow(/not a StableQueue Generate preset/);
    expect(() => parsePresetFile('nope')).toThrow(/not JSON/);
  });
});
