// The node catalogue served at /object_info and used by validation. Shapes copy
// ComfyUI v0.3.64's core nodes (nodes.py, comfy/samplers.py): input specs are
// `[type, options]` where type is a string or a combo list.
import { PyFloat } from './py-json.ts';

export type InputType = string | string[];
export type InputSpec = [InputType, Record<string, unknown>] | [InputType];

export interface NodeInputs {
  required: Record<string, InputSpec>;
  optional?: Record<string, InputSpec>;
  hidden?: Record<string, string>;
}

export interface NodeDef {
  input: NodeInputs;
  output: string[];
  outputName?: string[];
  outputTooltips?: string[];
  displayName: string;
  description: string;
  category: string;
  outputNode: boolean;
}

/** What the combo lists are built from; input files are read per request like ComfyUI does. */
export interface CatalogueSources {
  checkpoints: string[];
  loras: string[];
  vaes: string[];
  inputFiles: () => string[];
}

export const MAX_RESOLUTION = 16384;

export const SAMPLER_NAMES = [
  'euler', 'euler_cfg_pp', 'euler_ancestral', 'euler_ancestral_cfg_pp', 'heun', 'heunpp2', 'dpm_2',
  'dpm_2_ancestral', 'lms', 'dpm_fast', 'dpm_adaptive', 'dpmpp_2s_ancestral', 'dpmpp_2s_ancestral_cfg_pp',
  'dpmpp_sde', 'dpmpp_sde_gpu', 'dpmpp_2m', 'dpmpp_2m_cfg_pp', 'dpmpp_2m_sde', 'dpmpp_2m_sde_gpu',
  'dpmpp_2m_sde_heun', 'dpmpp_2m_sde_heun_gpu', 'dpmpp_3m_sde', 'dpmpp_3m_sde_gpu', 'ddpm', 'lcm', 'ipndm',
  'ipndm_v', 'deis', 'res_multistep', 'res_multistep_cfg_pp', 'res_multistep_ancestral',
  'res_multistep_ancestral_cfg_pp', 'gradient_estimation', 'gradient_estimation_cfg_pp', 'er_sde', 'seeds_2',
  'seeds_3', 'sa_solver', 'sa_solver_pece', 'ddim', 'uni_pc', 'uni_pc_bh2',
];

export const SCHEDULER_NAMES = [
  'simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal',
];

const f = (n: number): PyFloat => new PyFloat(n);
const SEED_MAX = 0xffffffffffffffffn;

function samplerInputs(): Record<string, InputSpec> {
  return {
    model: ['MODEL', { tooltip: 'The model used for denoising the input latent.' }],
    seed: ['INT', { default: 0, min: 0, max: SEED_MAX, control_after_generate: true, tooltip: 'The random seed used for creating the noise.' }],
    steps: ['INT', { default: 20, min: 1, max: 10000, tooltip: 'The number of steps used in the denoising process.' }],
    cfg: ['FLOAT', { default: f(8), min: f(0), max: f(100), step: f(0.1), round: f(0.01), tooltip: 'The Classifier-Free Guidance scale balances creativity and adherence to the prompt. Higher values result in images more closely matching the prompt however too high values will negatively impact quality.' }],
    sampler_name: [SAMPLER_NAMES, { tooltip: 'The algorithm used when sampling, this can affect the quality, speed, and style of the generated output.' }],
    scheduler: [SCHEDULER_NAMES, { tooltip: 'The scheduler controls how noise is gradually removed to form the image.' }],
    positive: ['CONDITIONING', { tooltip: 'The conditioning describing the attributes you want to include in the image.' }],
    negative: ['CONDITIONING', { tooltip: 'The conditioning describing the attributes you want to exclude from the image.' }],
    latent_image: ['LATENT', { tooltip: 'The latent image to denoise.' }],
    denoise: ['FLOAT', { default: f(1), min: f(0), max: f(1), step: f(0.01), tooltip: 'The amount of denoising applied, lower values will maintain the structure of the initial image allowing for image to image sampling.' }],
  };
}

const saveHidden = { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' };

export function buildCatalogue(src: CatalogueSources): Record<string, NodeDef> {
  return {
    KSampler: {
      input: { required: samplerInputs() },
      output: ['LATENT'],
      outputTooltips: ['The denoised latent.'],
      displayName: 'KSampler',
      description: 'Uses the provided model, positive and negative conditioning to denoise the latent image.',
      category: 'sampling',
      outputNode: false,
    },
    CheckpointLoaderSimple: {
      input: { required: { ckpt_name: [src.checkpoints, { tooltip: 'The name of the checkpoint (model) to load.' }] } },
      output: ['MODEL', 'CLIP', 'VAE'],
      outputTooltips: [
        'The model used for denoising latents.',
        'The CLIP model used for encoding text prompts.',
        'The VAE model used for encoding and decoding images to and from latent space.',
      ],
      displayName: 'Load Checkpoint',
      description: 'Loads a diffusion model checkpoint, diffusion models are used to denoise latents.',
      category: 'loaders',
      outputNode: false,
    },
    CLIPTextEncode: {
      input: {
        required: {
          text: ['STRING', { multiline: true, dynamicPrompts: true, tooltip: 'The text to be encoded.' }],
          clip: ['CLIP', { tooltip: 'The CLIP model used for encoding the text.' }],
        },
      },
      output: ['CONDITIONING'],
      outputTooltips: ['A conditioning containing the embedded text used to guide the diffusion model.'],
      displayName: 'CLIP Text Encode (Prompt)',
      description: 'Encodes a text prompt using a CLIP model into an embedding that can be used to guide the diffusion model towards generating specific images.',
      category: 'conditioning',
      outputNode: false,
    },
    CLIPSetLastLayer: {
      input: { required: { clip: ['CLIP'], stop_at_clip_layer: ['INT', { default: -1, min: -24, max: -1, step: 1 }] } },
      output: ['CLIP'],
      displayName: 'CLIP Set Last Layer',
      description: '',
      category: 'conditioning',
      outputNode: false,
    },
    VAEDecode: {
      input: {
        required: {
          samples: ['LATENT', { tooltip: 'The latent to be decoded.' }],
          vae: ['VAE', { tooltip: 'The VAE model used for decoding the latent.' }],
        },
      },
      output: ['IMAGE'],
      outputTooltips: ['The decoded image.'],
      displayName: 'VAE Decode',
      description: 'Decodes latent images back into pixel space images.',
      category: 'latent',
      outputNode: false,
    },
    VAEEncode: {
      input: { required: { pixels: ['IMAGE'], vae: ['VAE'] } },
      output: ['LATENT'],
      displayName: 'VAE Encode',
      description: '',
      category: 'latent',
      outputNode: false,
    },
    VAELoader: {
      input: { required: { vae_name: [src.vaes] } },
      output: ['VAE'],
      displayName: 'Load VAE',
      description: '',
      category: 'loaders',
      outputNode: false,
    },
    EmptyLatentImage: {
      input: {
        required: {
          width: ['INT', { default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The width of the latent images in pixels.' }],
          height: ['INT', { default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The height of the latent images in pixels.' }],
          batch_size: ['INT', { default: 1, min: 1, max: 4096, tooltip: 'The number of latent images in the batch.' }],
        },
      },
      output: ['LATENT'],
      outputTooltips: ['The empty latent image batch.'],
      displayName: 'Empty Latent Image',
      description: 'Create a new batch of empty latent images to be denoised via sampling.',
      category: 'latent',
      outputNode: false,
    },
    SaveImage: {
      input: {
        required: {
          images: ['IMAGE', { tooltip: 'The images to save.' }],
          filename_prefix: ['STRING', { default: 'ComfyUI', tooltip: 'The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes.' }],
        },
        hidden: saveHidden,
      },
      output: [],
      displayName: 'Save Image',
      description: 'Saves the input images to your ComfyUI output directory.',
      category: 'image',
      outputNode: true,
    },
    PreviewImage: {
      input: { required: { images: ['IMAGE'] }, hidden: saveHidden },
      output: [],
      displayName: 'Preview Image',
      description: 'Saves the input images to your ComfyUI output directory.',
      category: 'image',
      outputNode: true,
    },
    LoadImage: {
      input: { required: { image: [src.inputFiles(), { image_upload: true }] } },
      output: ['IMAGE', 'MASK'],
      displayName: 'Load Image',
      description: '',
      category: 'image',
      outputNode: false,
    },
    EmptyImage: {
      input: {
        required: {
          width: ['INT', { default: 512, min: 1, max: MAX_RESOLUTION, step: 1 }],
          height: ['INT', { default: 512, min: 1, max: MAX_RESOLUTION, step: 1 }],
          batch_size: ['INT', { default: 1, min: 1, max: 4096 }],
          color: ['INT', { default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' }],
        },
      },
      output: ['IMAGE'],
      displayName: 'EmptyImage',
      description: '',
      category: 'image',
      outputNode: false,
    },
    LoraLoader: {
      input: {
        required: {
          model: ['MODEL', { tooltip: 'The diffusion model the LoRA will be applied to.' }],
          clip: ['CLIP', { tooltip: 'The CLIP model the LoRA will be applied to.' }],
          lora_name: [src.loras, { tooltip: 'The name of the LoRA.' }],
          strength_model: ['FLOAT', { default: f(1), min: f(-100), max: f(100), step: f(0.01), tooltip: 'How strongly to modify the diffusion model. This value can be negative.' }],
          strength_clip: ['FLOAT', { default: f(1), min: f(-100), max: f(100), step: f(0.01), tooltip: 'How strongly to modify the CLIP model. This value can be negative.' }],
        },
      },
      output: ['MODEL', 'CLIP'],
      outputTooltips: ['The modified diffusion model.', 'The modified CLIP model.'],
      displayName: 'Load LoRA',
      description: 'LoRAs are used to modify diffusion and CLIP models, altering the way in which latents are denoised such as applying styles. Multiple LoRA nodes can be linked together.',
      category: 'loaders',
      outputNode: false,
    },
    KSamplerAdvanced: {
      input: {
        required: {
          model: ['MODEL'],
          add_noise: [['enable', 'disable']],
          noise_seed: ['INT', { default: 0, min: 0, max: SEED_MAX, control_after_generate: true }],
          steps: ['INT', { default: 20, min: 1, max: 10000 }],
          cfg: ['FLOAT', { default: f(8), min: f(0), max: f(100), step: f(0.1), round: f(0.01) }],
          sampler_name: [SAMPLER_NAMES],
          scheduler: [SCHEDULER_NAMES],
          positive: ['CONDITIONING'],
          negative: ['CONDITIONING'],
          latent_image: ['LATENT'],
          start_at_step: ['INT', { default: 0, min: 0, max: 10000 }],
          end_at_step: ['INT', { default: 10000, min: 0, max: 10000 }],
          return_with_leftover_noise: [['disable', 'enable']],
        },
      },
      output: ['LATENT'],
      displayName: 'KSampler (Advanced)',
      description: '',
      category: 'sampling',
      outputNode: false,
    },
  };
}

/** One entry of /object_info, in the key order server.py's node_info() produces. */
export function nodeInfo(name: string, def: NodeDef): Record<string, unknown> {
  const inputOrder: Record<string, string[]> = {};
  for (const [group, specs] of Object.entries(def.input)) inputOrder[group] = Object.keys(specs as object);
  const info: Record<string, unknown> = {
    input: def.input,
    input_order: inputOrder,
    output: def.output,
    output_is_list: def.output.map(() => false),
    output_name: def.outputName ?? def.output,
    name,
    display_name: def.displayName,
    description: def.description,
    python_module: 'nodes',
    category: def.category,
    output_node: def.outputNode,
  };
  if (def.outputTooltips) info.output_tooltips = def.outputTooltips;
  return info;
}

/** Every input name with its spec and group, required first, in declaration order. */
export function declaredInputs(def: NodeDef): Array<{ name: string; spec: InputSpec; required: boolean }> {
  const out: Array<{ name: string; spec: InputSpec; required: boolean }> = [];
  for (const [name, spec] of Object.entries(def.input.required)) out.push({ name, spec, required: true });
  for (const [name, spec] of Object.entries(def.input.optional ?? {})) out.push({ name, spec, required: false });
  return out;
}
