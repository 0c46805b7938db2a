/**
 * What the emulated server has on disk: checkpoints, LoRAs, VAEs / modules, samplers,
 * schedulers, upscalers. Shapes and name rules follow `sd_models.CheckpointInfo`,
 * `sd_samplers`, `sd_schedulers` and the Lora extension.
 */
import { createHash } from 'node:crypto';
import type { CheckpointSpec, Flavor, ForgeEmulatorOptions } from './types.ts';

export const DEFAULT_MODELS = [
  'v1-5-pruned-emaonly.safetensors',
  'Pony/cyberrealisticPony_v8.safetensors',
  'sdxl/juggernautXL_v9.safetensors',
];

export const DEFAULT_LORAS = ['add_detail.safetensors', 'styles/pixel_art_xl.safetensors'];

export interface Checkpoint {
  /** relative path with `/` */
  relPath: string;
  /** relative path with the server's separator (CheckpointInfo.name) */
  name: string;
  nameForExtra: string;
  modelName: string;
  filename: string;
  sha256: string;
  /** old 8-hex "model hash" (CheckpointInfo.hash) */
  legacyHash: string;
  /** whether the sha256 is cached; the title carries `[shorthash]` only then */
  hashed: boolean;
}

export const shorthash = (c: Checkpoint): string | null => (c.hashed ? c.sha256.slice(0, 10) : null);
export const checkpointTitle = (c: Checkpoint): string => (c.hashed ? `${c.name} [${shorthash(c)}]` : c.name);

export interface Sampler {
  name: string;
  aliases: string[];
  options: Record<string, string | boolean>;
}

export interface Scheduler {
  name: string;
  label: string;
  aliases: string[] | null;
  default_rho: number;
  need_inner_model: boolean;
}

const K_DIFFUSION: Sampler[] = [
  { name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'], options: { scheduler: 'karras' } },
  { name: 'DPM++ SDE', aliases: ['k_dpmpp_sde'], options: { scheduler: 'karras', second_order: true, brownian_noise: true } },
  { name: 'DPM++ 2M SDE', aliases: ['k_dpmpp_2m_sde'], options: { scheduler: 'exponential', brownian_noise: true } },
  {
    name: 'DPM++ 2M SDE Heun',
    aliases: ['k_dpmpp_2m_sde_heun'],
    options: { scheduler: 'exponential', brownian_noise: true, solver_type: 'heun' },
  },
  { name: 'DPM++ 2S a', aliases: ['k_dpmpp_2s_a'], options: { scheduler: 'karras', uses_ensd: true, second_order: true } },
  {
    name: 'DPM++ 3M SDE',
    aliases: ['k_dpmpp_3m_sde'],
    options: { scheduler: 'exponential', discard_next_to_last_sigma: true, brownian_noise: true },
  },
  { name: 'Euler a', aliases: ['k_euler_a', 'k_euler_ancestral'], options: { uses_ensd: true } },
  { name: 'Euler', aliases: ['k_euler'], options: {} },
  { name: 'LMS', aliases: ['k_lms'], options: {} },
  { name: 'Heun', aliases: ['k_heun'], options: { second_order: true } },
  { name: 'DPM2', aliases: ['k_dpm_2'], options: { scheduler: 'karras', discard_next_to_last_sigma: true, second_order: true } },
  {
    name: 'DPM2 a',
    aliases: ['k_dpm_2_a'],
    options: { scheduler: 'karras', discard_next_to_last_sigma: true, uses_ensd: true, second_order: true },
  },
  { name: 'DPM fast', aliases: ['k_dpm_fast'], options: { uses_ensd: true } },
  { name: 'DPM adaptive', aliases: ['k_dpm_ad'], options: { uses_ensd: true } },
  { name: 'Restart', aliases: ['restart'], options: { scheduler: 'karras', second_order: true } },
];

const TIMESTEP: Sampler[] = [
  { name: 'DDIM', aliases: ['ddim'], options: {} },
  { name: 'DDIM CFG++', aliases: ['ddim_cfgpp'], options: {} },
  { name: 'PLMS', aliases: ['plms'], options: {} },
  { name: 'UniPC', aliases: ['unipc'], options: {} },
  { name: 'LCM', aliases: ['k_lcm'], options: {} },
];

const FORGE_EXTRA: Sampler[] = [
  { name: '[Forge] Flux Realistic', aliases: ['flux_realistic'], options: {} },
  { name: '[Forge] Flux Realistic (Slow)', aliases: ['flux_realistic_slow'], options: {} },
];

const schedulerRow = (name: string, label: string, extra: Partial<Scheduler> = {}): Scheduler => ({
  name,
  label,
  aliases: null,
  default_rho: -1,
  need_inner_model: false,
  ...extra,
});

const SCHEDULERS: Scheduler[] = [
  schedulerRow('automatic', 'Automatic'),
  schedulerRow('uniform', 'Uniform', { need_inner_model: true }),
  schedulerRow('karras', 'Karras', { default_rho: 7 }),
  schedulerRow('exponential', 'Exponential'),
  schedulerRow('polyexponential', 'Polyexponential', { default_rho: 1 }),
  schedulerRow('sgm_uniform', 'SGM Uniform', { need_inner_model: true, aliases: ['SGMUniform'] }),
  schedulerRow('kl_optimal', 'KL Optimal'),
  schedulerRow('align_your_steps', 'Align Your Steps'),
  schedulerRow('simple', 'Simple', { need_inner_model: true }),
  schedulerRow('normal', 'Normal', { need_inner_model: true }),
  schedulerRow('ddim', 'DDIM', { need_inner_model: true }),
  schedulerRow('beta', 'Beta', { need_inner_model: true }),
];

export const LATENT_UPSCALE_MODES = [
  'Latent',
  'Latent (antialiased)',
  'Latent (bicubic)',
  'Latent (bicubic antialiased)',
  'Latent (nearest)',
  'Latent (nearest-exact)',
];

export const UPSCALERS = ['None', 'Lanczos', 'Nearest', 'DAT x2', 'ESRGAN_4x', 'LDSR', 'R-ESRGAN 4x+', 'R-ESRGAN 4x+ Anime6B', 'ScuNET', 'SwinIR 4x'];

/** Fake but stable sha256 of a file, derived from its relative path. */
const fakeSha256 = (kind: string, relPath: string): string =>
  createHash('sha256').update(`stablequeue-emulator:${kind}:${relPath}`).digest('hex');

export class Catalog {
  readonly flavor: Flavor;
  readonly sep: '/' | '\\';
  readonly installDir: string;
  readonly checkpoints: Checkpoint[];
  readonly loras: { name: string; alias: string; path: string; metadata: Record<string, unknown> }[];
  readonly samplers: Sampler[];
  readonly schedulers: Scheduler[];
  /** Forge `/sd-modules`: VAEs and text encoders */
  readonly modules: { model_name: string; filename: string }[];
  /** A1111 `/sd-vae` */
  readonly vaes: { model_name: string; filename: string }[];

  constructor(opts: ForgeEmulatorOptions) {
    this.flavor = opts.flavor ?? 'forge';
    this.sep = opts.windowsPaths ? '\\' : '/';
    const dirName = this.flavor === 'forge' ? 'stable-diffusion-webui-forge' : 'stable-diffusion-webui';
    this.installDir = opts.windowsPaths ? `C:\\${dirName}` : `/opt/${dirName}`;

    const specs = (opts.models ?? DEFAULT_MODELS).map((m) => (typeof m === 'string' ? { path: m } : m));
    this.checkpoints = sortLikeWalkFiles(specs, (s) => s.path).map((s) => this.makeCheckpoint(s));
    this.loras = sortLikeWalkFiles(opts.loras ?? DEFAULT_LORAS, (p) => p).map((rel) => {
      const name = basenameNoExt(rel);
      return { name, alias: name, path: this.modelPath('Lora', rel), metadata: {} };
    });
    this.samplers = this.flavor === 'forge' ? [...K_DIFFUSION, ...TIMESTEP, ...FORGE_EXTRA] : [...K_DIFFUSION, ...TIMESTEP];
    this.schedulers = this.flavor === 'forge' ? [...SCHEDULERS, schedulerRow('turbo', 'Turbo', { need_inner_model: true })] : SCHEDULERS;
    this.modules = [
      ['VAE', 'ae.safetensors'],
      ['VAE', 'sdxl_vae.safetensors'],
      ['text_encoder', 'clip_l.safetensors'],
      ['text_encoder', 't5xxl_fp8_e4m3fn.safetensors'],
    ].map(([dir, file]) => ({ model_name: file, filename: this.modelPath(dir, file) }));
    this.vaes = ['sdxl_vae.safetensors', 'vae-ft-mse-840000-ema-pruned.safetensors'].map((file) => ({
      model_name: file,
      filename: this.modelPath('VAE', file),
    }));
  }

  modelPath(folder: string, relPath: string): string {
    return [this.installDir, 'models', folder, ...relPath.split('/')].join(this.sep);
  }

  /** `sd_models.checkpoint_aliases` lookup: title, name, model_name, hashes, … (later files win). */
  findCheckpoint(alias: string): Checkpoint | undefined {
    for (let i = this.checkpoints.length - 1; i >= 0; i--) {
      if (checkpointAliases(this.checkpoints[i]).includes(alias)) return this.checkpoints[i];
    }
    return undefined;
  }

  /** `sd_samplers.get_sampler_and_scheduler`: unknown names fall back silently. */
  resolveSampler(samplerName: string | null, schedulerName: string | null, convertAutomatic = true): [Sampler, Scheduler] {
    const byNameOrLabel = (s: string | null) => this.schedulers.find((x) => x.name === s || x.label === s);
    let found = byNameOrLabel(schedulerName) ?? this.schedulers[0];
    let name = samplerName || this.samplers[0].name;
    for (const scheduler of this.schedulers) {
      for (const option of [scheduler.label, scheduler.name, ...(scheduler.aliases ?? [])]) {
        if (name.endsWith(` ${option}`)) {
          found = scheduler;
          name = name.slice(0, -option.length - 1);
          break;
        }
      }
    }
    const sampler = this.samplers.find((s) => s.name === name) ?? this.samplers[0];
    if (convertAutomatic && sampler.options.scheduler === found.name) found = this.schedulers[0];
    return [sampler, found];
  }

  schedulerByName(name: string): Scheduler | undefined {
    return this.schedulers.find((s) => s.name === name || s.label === name);
  }

  private makeCheckpoint(spec: CheckpointSpec): Checkpoint {
    const relPath = spec.path.replaceAll('\\', '/');
    const name = relPath.split('/').join(this.sep);
    const sha256 = fakeSha256('checkpoint', relPath);
    return {
      relPath,
      name,
      nameForExtra: basenameNoExt(relPath),
      modelName: name.replace(/[\\/]/g, '_').replace(/\.[^.]*$/, ''),
      filename: this.modelPath('Stable-diffusion', relPath),
      sha256,
      legacyHash: fakeSha256('legacy', relPath).slice(0, 8),
      hashed: spec.hashed ?? true,
    };
  }
}

function checkpointAliases(c: Checkpoint): string[] {
  const ids = [c.legacyHash, c.modelName, checkpointTitle(c), c.name, c.nameForExtra, `${c.name} [${c.legacyHash}]`];
  const short = shorthash(c);
  if (short) ids.push(short, c.sha256, `${c.name} [${short}]`, `${c.nameForExtra} [${short}]`);
  return ids;
}

function basenameNoExt(relPath: string): string {
  return relPath.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
}

/** `shared.walk_files` order: directories sorted (root first), then files, case-insensitive. */
function sortLikeWalkFiles<T>(items: T[], pathOf: (t: T) => string): T[] {
  const key = (t: T) => {
    const parts = pathOf(t).replaceAll('\\', '/').split('/');
    const file = parts.pop()!;
    return [parts.join('/').toLowerCase(), file.toLowerCase()] as const;
  };
  return [...items].sort((a, b) => {
    const [da, fa] = key(a);
    const [db, fb] = key(b);
    return da === db ? (fa < fb ? -1 : fa > fb ? 1 : 0) : da < db ? -1 : 1;
  });
}

/** Selectable scripts (`script_name`), by tab. */
export const SELECTABLE_SCRIPTS: Record<'txt2img' | 'img2img', string[]> = {
  txt2img: ['Prompt matrix', 'Prompts from file or textbox', 'X/Y/Z plot'],
  img2img: ['img2img alternative test', 'Loopback', 'Outpainting mk2', "Poor man's outpainting", 'Prompt matrix', 'Prompts from file or textbox', 'SD upscale', 'X/Y/Z plot'],
};

/** Always-on script titles accepted in `alwayson_scripts` unless the emulator is told otherwise. */
export const DEFAULT_ALWAYSON_SCRIPTS = ['Refiner', 'Seed', 'Sampler', 'Hypertile', 'Extra options', 'ControlNet', 'ADetailer', 'Soft Inpainting'];
