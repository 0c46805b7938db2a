/**
 * The list routes of the ControlNet and ADetailer extensions (both ship an API; Forge's
 * built-in ControlNet keeps the same routes). They exist only when the emulator is given
 * the extension (its always-on script title, `alwaysonScripts`), as on a real server
 * without it they are 404 Not Found. Shapes as sd-webui-controlnet's `api.py` and
 * ADetailer's `api` answer them.
 */
import type { EmulatorCore } from './core.ts';
import { HttpException } from './errors.ts';
import type { Reply } from './http.ts';

export const CONTROLNET_MODELS = ['control_v11p_sd15_canny [d14c016b]', 'control_v11f1p_sd15_depth [cfd03158]', 'control_v11p_sd15_openpose [cab727d4]'];
export const CONTROLNET_MODULES = ['none', 'canny', 'depth_midas', 'openpose', 'openpose_full', 'lineart_realistic', 'tile_resample', 'reference_only'];
export const ADETAILER_MODELS = ['face_yolov8n.pt', 'face_yolov8s.pt', 'hand_yolov8n.pt', 'person_yolov8n-seg.pt', 'mediapipe_face_full', 'mediapipe_face_short'];

function has(core: EmulatorCore, title: string): boolean {
  return core.settings.alwaysonScripts.some((s) => s.toLowerCase() === title);
}

function withExtension(title: string, body: () => unknown) {
  return (core: EmulatorCore): Reply => {
    if (!has(core, title)) throw new HttpException(404, 'Not Found', {}, true);
    return { status: 200, body: body() };
  };
}

export const EXTENSION_ROUTES = {
  '/controlnet/model_list': { GET: { auth: true, run: withExtension('controlnet', () => ({ model_list: CONTROLNET_MODELS })) } },
  '/controlnet/module_list': {
    GET: {
      auth: true,
      run: withExtension('controlnet', () => ({
        module_list: CONTROLNET_MODULES,
        module_detail: Object.fromEntries(CONTROLNET_MODULES.map((m) => [m, { model_free: m === 'reference_only', sliders: [] }])),
      })),
    },
  },
  '/controlnet/version': { GET: { auth: true, run: withExtension('controlnet', () => ({ version: 2 })) } },
  '/adetailer/v1/ad_model': { GET: { auth: true, run: withExtension('adetailer', () => ({ ad_model: ADETAILER_MODELS })) } },
  '/adetailer/v1/version': { GET: { auth: true, run: withExtension('adetailer', () => ({ version: '24.11.1' })) } },
};
