/**
 * POST /sdapi/v1/txt2img and /img2img, following `text2imgapi` / `img2imgapi` and
 * `processing.process_images`:
 * - validation, script lookup and sampler resolution happen before the queue lock, so
 *   their errors come back at once; everything else waits its FIFO turn;
 * - a client that disconnects does not cancel its queued or running generation;
 * - interrupt stops the running batch at the next step; that batch still yields its
 *   (partially denoised) images and later batches are skipped. Only an interrupt that
 *   lands before sampling starts (e.g. during a model load) gives `images: []`.
 * - Forge's hires pass reads `'Use same choices' not in p.hr_additional_modules`: without
 *   that field it raises TypeError after the whole first pass.
 * - Forge's ControlNet decodes only `image` and `mask_image` of an API unit; a unit with a
 *   base64 `image_fg`/`mask_image_fg` (or a string preview used as input) fails inside the
 *   script, the error is logged and swallowed, and the job runs without that unit. Units
 *   with a preprocessor append their detected map to the response after the results.
 */
import { makePng } from '../png.ts';
import { LATENT_UPSCALE_MODES, SELECTABLE_SCRIPTS, UPSCALERS, shorthash } from './catalog.ts';
import { now, reloadModelWeights, sleep, type EmulatorCore } from './core.ts';
import { HttpException, PythonException } from './errors.ts';
import { createInfotext, processedJs, type Processing } from './infotext.ts';
import { PyFloat } from './py-json.ts';
import { parseGenerationBody, type GenerationRoute } from './request-model.ts';
import { TaskQueue } from './task-queue.ts';
import type { GenerationRecord } from './types.ts';

/** Options that change the picture; recorded per generation so tests see what a job ran with. */
const PICTURE_OPTIONS = ['CLIP_stop_at_last_layers', 'sd_vae', 'forge_additional_modules', 'eta_noise_seed_delta', 'randn_source', 'forge_unet_storage_dtype'];

export interface GenerationReply {
  status: number;
  body: unknown;
}

interface PlannedImage {
  seed: number;
  width: number;
  height: number;
  index: number;
}

const num = (v: unknown): number => (v instanceof PyFloat ? v.value : Number(v));

/** Pixels a generation holds on the GPU at once: width × height × batch_size, the hires pass counted. */
function pixelsOf(req: Record<string, unknown>): number {
  const num = (v: unknown, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  const scale = req.enable_hr === true ? num(req.hr_scale, 2) : 1;
  return Math.round(num(req.width, 512) * scale) * Math.round(num(req.height, 512) * scale) * num(req.batch_size, 1);
}

const GIB = 1024 ** 3;

/** A job too big for the emulated card fails with torch's message, as the real server answers it. */
function checkGpuMemory(core: EmulatorCore, req: Record<string, unknown>): void {
  const pixels = pixelsOf(req);
  if (pixels <= core.settings.oomAbovePixels) return;
  const total = core.settings.vramBytes / GIB;
  const wanted = Math.max(0.5, (pixels / core.settings.oomAbovePixels) * 2);
  core.oomCount = (core.oomCount ?? 0) + 1;
  throw new PythonException('OutOfMemoryError', `CUDA out of memory. Tried to allocate ${wanted.toFixed(2)} GiB. GPU 0 has a total capacity of ${total.toFixed(2)} GiB of which 0.19 GiB is free. Of the allocated memory ${(total * 0.8).toFixed(2)} GiB is allocated by PyTorch, and 0.31 GiB is reserved by PyTorch but unallocated.`);
}

export async function handleGeneration(
  core: EmulatorCore,
  route: GenerationRoute,
  body: unknown,
  requestId: number,
  receivedAt: number,
): Promise<GenerationReply & { record: GenerationRecord }> {
  const req = parseGenerationBody(route, core.flavor, body);
  const initImages = req.init_images as unknown[] | null | undefined;
  if (route === 'img2img') {
    if (initImages == null) throw new HttpException(404, 'Init image not found');
    if (req.mask) assertDecodableImage(req.mask);
  }
  checkScripts(core, route, req);

  const taskId = (req.force_task_id as string | null) || TaskQueue.createId(route);
  const record: GenerationRecord = { requestId, route, receivedAt, interrupted: false, aborted: false, taskId, stepsRun: 0 };
  core.generationLog.push(record);

  const life = core.life;
  const tasks = core.tasks;
  tasks.add(taskId);
  let release: () => void;
  try {
    release = await core.lock.acquire(life);
  } catch (err) {
    record.aborted = true;
    tasks.drop(taskId);
    throw err;
  }
  record.startedAt = now();
  core.events.emit('generation-start', record);
  let result: { images: Buffer[]; extra: Buffer[]; info: string };
  try {
    if (route === 'img2img') initImages!.forEach(assertDecodableImage);
    checkGpuMemory(core, req);
    core.state.begin(route === 'txt2img' ? 'scripts_txt2img' : 'scripts_img2img');
    tasks.start(taskId);
    try {
      result = await processImages(core, life, route, req, record);
      tasks.finish(taskId);
    } finally {
      core.state.end();
    }
  } catch (err) {
    if (life.aborted) record.aborted = true;
    throw err;
  } finally {
    release();
    record.finishedAt = now();
    core.events.emit('generation-end', record);
  }

  const parameters = { ...req };
  if (route === 'img2img' && !req.include_init_images) {
    parameters.init_images = null;
    parameters.mask = null;
  }
  // Forge sends `processed.images + processed.extra_images`; A1111 only the first
  const sent = core.flavor === 'forge' ? [...result.images, ...result.extra] : result.images;
  const images = req.send_images === false ? [] : sent.map((b) => b.toString('base64'));
  record.images = images.length;
  record.extraImages = core.flavor === 'forge' ? result.extra.length : 0;
  record.status = 200;
  return { status: 200, body: { images, parameters, info: result.info }, record };
}

function checkScripts(core: EmulatorCore, route: GenerationRoute, req: Record<string, unknown>): void {
  const selectable = SELECTABLE_SCRIPTS[route].map((s) => s.toLowerCase());
  const alwayson = core.settings.alwaysonScripts.map((s) => s.toLowerCase());
  const scriptName = req.script_name as string | null;
  if (scriptName && !selectable.includes(scriptName.toLowerCase())) {
    throw new HttpException(422, `Script '${scriptName}' not found`);
  }
  for (const title of Object.keys((req.alwayson_scripts as Record<string, unknown> | null) ?? {})) {
    const lower = title.toLowerCase();
    if (alwayson.includes(lower)) continue;
    if (selectable.includes(lower)) throw new HttpException(422, 'Cannot have a selectable script in the always on scripts params');
    throw new HttpException(422, `Script '${title}' not found`);
  }
}

/** `decode_base64_to_image`: data: URLs and bare base64 of a real image; anything else is a 500. */
function assertDecodableImage(encoding: unknown): void {
  if (typeof encoding !== 'string') throw new PythonException('AttributeError', `'${typeof encoding}' object has no attribute 'startswith'`);
  if (encoding.startsWith('http://') || encoding.startsWith('https://')) return; // api_enable_requests is on
  let b64 = encoding;
  if (b64.startsWith('data:image/')) b64 = b64.split(';')[1]?.split(',')[1] ?? '';
  const bytes = Buffer.from(b64, 'base64');
  const isImage =
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    (bytes[0] === 0xff && bytes[1] === 0xd8) ||
    (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') ||
    bytes.toString('latin1', 0, 3) === 'GIF' ||
    bytes.toString('latin1', 0, 2) === 'BM';
  if (!isImage) throw new HttpException(500, 'Invalid encoded image');
}

/** `process_images`: apply override_settings, run, restore them afterwards. */
async function processImages(
  core: EmulatorCore,
  life: AbortSignal,
  route: GenerationRoute,
  req: Record<string, unknown>,
  record: GenerationRecord,
): Promise<{ images: Buffer[]; extra: Buffer[]; info: string }> {
  const overrides = { ...((req.override_settings as Record<string, unknown> | null) ?? {}) };
  const stored = Object.fromEntries(Object.keys(overrides).filter((k) => k in core.options).map((k) => [k, core.options[k]]));
  try {
    // an unknown checkpoint override is dropped silently
    if (!core.catalog.findCheckpoint(String(overrides.sd_model_checkpoint))) delete overrides.sd_model_checkpoint;
    for (const [key, value] of Object.entries(overrides)) {
      if (!(key in core.options)) throw new PythonException('KeyError', `'${key}'`);
      core.options[key] = value;
    }
    record.settings = Object.fromEntries(PICTURE_OPTIONS.filter((k) => k in core.options).map((k) => [k, structuredClone(core.options[k])]));
    const checkpoint = await reloadModelWeights(core, life);
    record.model = String(core.options.sd_model_checkpoint);
    return await processImagesInner(core, life, route, req, record, checkpoint.nameForExtra, shorthash(checkpoint));
  } finally {
    if (req.override_settings_restore_afterwards !== false) Object.assign(core.options, stored);
  }
}

async function processImagesInner(
  core: EmulatorCore,
  life: AbortSignal,
  route: GenerationRoute,
  req: Record<string, unknown>,
  record: GenerationRecord,
  sdModelName: string,
  sdModelHash: string | null,
): Promise<{ images: Buffer[]; extra: Buffer[]; info: string }> {
  const { state, options, catalog } = core;
  const batchSize = num(req.batch_size ?? 1);
  const nIter = num(req.n_iter ?? 1);
  const steps = num(req.steps ?? 50);
  const seed = fixedSeed(req.seed);
  const subseed = fixedSeed(req.subseed);
  const subseedStrength = req.subseed_strength ?? 0;
  const total = batchSize * nIter;

  const refiner = req.refiner_checkpoint as string | null;
  if (refiner && !['None', 'none'].includes(refiner) && !catalog.findCheckpoint(refiner)) {
    throw new PythonException('Exception', `Could not find checkpoint with name ${refiner}`);
  }

  // the API resolves the sampler (unknown → first sampler), then process_images fixes up p.scheduler
  const [sampler, apiScheduler] = catalog.resolveSampler(
    (req.sampler_name as string | null) || (req.sampler_index as string | null),
    req.scheduler as string | null,
  );
  const pScheduler = (req.scheduler as string | null) || (apiScheduler.label !== 'Automatic' ? apiScheduler.label : null);
  const [, fixedScheduler] = catalog.resolveSampler(sampler.name, pScheduler, false);
  const extra: Record<string, unknown> = {};

  let width = num(req.width ?? 512);
  let height = num(req.height ?? 512);
  const hr = route === 'txt2img' && req.enable_hr === true ? planHires(req, extra, steps) : null;
  if (hr && (num(req.firstphase_width) !== 0 || num(req.firstphase_height) !== 0)) {
    [hr.width, hr.height] = [width, height];
    [width, height] = [num(req.firstphase_width), num(req.firstphase_height)];
  } else if (hr) {
    [hr.width, hr.height] = hiresTarget(req, width, height, extra);
  }
  if (route === 'img2img') {
    const initCount = (req.init_images as unknown[]).length;
    if (initCount === 0 || initCount > batchSize) {
      throw new PythonException('RuntimeError', `bad number of images passed: ${initCount}; expecting ${batchSize} or less`);
    }
    extra['Denoising strength'] = req.denoising_strength;
    // the mask_blur property setter overrides both axes; the getter is None when they differ
    const [blurX, blurY] = req.mask_blur != null ? [req.mask_blur, req.mask_blur] : [req.mask_blur_x, req.mask_blur_y];
    if (req.mask && (num(blurX) > 0 || num(blurY) > 0)) extra['Mask blur'] = num(blurX) === num(blurY) ? blurX : null;
  }
  // an Automatic schedule shows the sampler's own default scheduler once sampling starts
  const defaultScheduler = sampler.options.scheduler ? catalog.schedulerByName(String(sampler.options.scheduler)) : undefined;
  if (fixedScheduler.label !== 'Automatic') extra['Schedule type'] = fixedScheduler.label;
  else if (defaultScheduler) extra['Schedule type'] = defaultScheduler.label;

  const p: Processing = {
    allPrompts: Array<string>(total).fill(String(req.prompt ?? '')),
    allNegativePrompts: Array<string>(total).fill(String(req.negative_prompt ?? '')),
    allSeeds: Array.from({ length: total }, (_, i) => seed + (num(subseedStrength) === 0 ? i : 0)),
    allSubseeds: Array.from({ length: total }, (_, i) => subseed + i),
    batchSize,
    steps,
    samplerName: sampler.name,
    scheduler: fixedScheduler.label,
    cfgScale: req.cfg_scale,
    width,
    height,
    restoreFaces: (req.restore_faces ?? options.face_restoration) === true,
    tiling: (req.tiling ?? options.tiling) === true,
    subseedStrength,
    seedResizeFromW: num(req.seed_resize_from_w ?? -1),
    seedResizeFromH: num(req.seed_resize_from_h ?? -1),
    denoisingStrength: req.denoising_strength,
    sdModelName,
    sdModelHash,
    extraGenerationParams: extra,
    styles: (req.styles as string[] | null) ?? [],
    jobTimestamp: state.job_timestamp,
  };

  if (state.job_count === -1) state.job_count = nIter * (hr ? 2 : 1);
  const firstPassSteps =
    route === 'img2img' ? Math.trunc(Math.min(num(req.denoising_strength ?? 0.75), 0.999) * steps) + 1 : steps;

  // scripts.process(p): ControlNet reads its units (errors are reported and swallowed)
  const extraImages = await runControlNet(core, req, record, width, height);

  const planned: PlannedImage[] = [];
  for (let n = 0; n < nIter; n++) {
    if (state.skipped) state.skipped = false;
    if (state.interrupted || state.stopping_generation) break;
    if (nIter > 1) state.job = `Batch ${n + 1} out of ${nIter}`;
    const batchSeed = p.allSeeds[n * batchSize];
    record.stepsRun! += await sample(core, life, firstPassSteps, { width, height, seed: batchSeed });
    let size = { width, height };
    if (hr && core.flavor === 'forge' && !Array.isArray(req.hr_additional_modules)) {
      throw new PythonException('TypeError', "argument of type 'NoneType' is not iterable");
    }
    if (hr && !state.interrupted) {
      state.nextjob(options);
      record.stepsRun! += await sample(core, life, hr.steps, { width: hr.width, height: hr.height, seed: batchSeed });
      size = { width: hr.width, height: hr.height };
    }
    state.nextjob(options);
    for (let i = 0; i < batchSize; i++) planned.push({ seed: p.allSeeds[n * batchSize + i], ...size, index: n * batchSize + i });
  }
  record.interrupted = state.interrupted;

  const version = core.settings.version;
  const infotexts = planned.map((img) => createInfotext(p, img.index, options, version));
  const images = await Promise.all(
    planned.map((img, i) =>
      render(core, img.width, img.height, img.seed, options.enable_pnginfo ? { parameters: infotexts[i] } : {}),
    ),
  );
  life.throwIfAborted();
  if (infotexts.length === 0) infotexts.push(createInfotext(p, 0, options, version));

  let indexOfFirstImage = 0;
  const gridWanted = (options.return_grid || options.grid_save) && req.do_not_save_grid !== true && req.save_images === true;
  if (gridWanted && !(images.length < 2 && options.grid_only_if_multiple) && options.return_grid) {
    const rows = Math.min(planned.length, Math.round(Math.sqrt(planned.length)));
    const cols = Math.ceil(planned.length / rows);
    const main = createInfotext(p, 0, options, version);
    infotexts.unshift(main);
    images.unshift(await render(core, cols * planned[0].width, rows * planned[0].height, seed, options.enable_pnginfo ? { parameters: main } : {}));
    indexOfFirstImage = 1;
  }
  return { images, extra: extraImages, info: processedJs(p, infotexts, options, version, indexOfFirstImage) };
}

/**
 * Forge's built-in ControlNet for the units of an API request: a unit whose canvas layers
 * arrive as base64 strings breaks in `get_input_data` (`unit.image_fg[:, :, 3]` on a str),
 * which `scripts.process` logs and swallows; a working unit with a preprocessor yields its
 * detected map as an extra image.
 */
async function runControlNet(core: EmulatorCore, req: Record<string, unknown>, record: GenerationRecord, width: number, height: number): Promise<Buffer[]> {
  const scripts = (req.alwayson_scripts as Record<string, { args?: unknown[] } | null> | null) ?? {};
  const entry = Object.entries(scripts).find(([title]) => title.toLowerCase() === 'controlnet')?.[1];
  const units = (Array.isArray(entry?.args) ? entry.args : []).filter((u): u is Record<string, unknown> =>
    typeof u === 'object' && u !== null && (u as Record<string, unknown>).enabled !== false);
  if (units.length === 0) return [];
  const outcome = { applied: 0, failed: [] as string[] };
  const maps: Buffer[] = [];
  for (const [i, unit] of units.entries()) {
    const stringLayer = ['image_fg', 'mask_image_fg'].find((k) => typeof unit[k] === 'string');
    if (stringLayer) {
      outcome.failed.push(`unit ${i}: TypeError: string indices must be integers (${stringLayer})`);
      continue;
    }
    if (unit.use_preview_as_input === true && typeof unit.generated_image === 'string') {
      outcome.failed.push(`unit ${i}: TypeError: string indices must be integers (generated_image)`);
      continue;
    }
    outcome.applied += 1;
    const module = String(unit.module ?? 'None');
    if (!['none', ''].includes(module.toLowerCase()) && unit.save_detected_map !== false) {
      maps.push(await render(core, width, height, 900_000 + i, {}));
    }
  }
  record.controlnet = outcome;
  return maps;
}

/** One sampler run: `steps` steps; stops early (keeping its partial latent) on interrupt or skip. Returns the steps run. */
async function sample(
  core: EmulatorCore,
  life: AbortSignal,
  steps: number,
  preview: { width: number; height: number; seed: number },
): Promise<number> {
  const { state } = core;
  state.sampling_steps = steps;
  state.sampling_step = 0;
  for (let i = 0; i < steps; i++) {
    if (state.interrupted || state.skipped) return i; // CFGDenoiser raises InterruptedException
    await sleep(life, core.settings.stepMs);
    state.sampling_step = i; // k-diffusion's callback reports the 0-based index of the finished step
    state.latent = { width: cap(core, preview.width), height: cap(core, preview.height), seed: preview.seed };
  }
  return steps;
}

function planHires(req: Record<string, unknown>, extra: Record<string, unknown>, steps: number) {
  const upscaler = req.hr_upscaler as string | null;
  if (upscaler !== null && !LATENT_UPSCALE_MODES.includes(upscaler) && !UPSCALERS.includes(upscaler)) {
    throw new PythonException('Exception', `could not find upscaler named ${upscaler}`);
  }
  extra['Denoising strength'] = req.denoising_strength;
  extra['Hires prompt'] = null;
  extra['Hires negative prompt'] = null;
  extra['Hires schedule type'] = null;
  return { steps: num(req.hr_second_pass_steps) || steps, width: 0, height: 0, upscaler };
}

/** `calculate_target_resolution` (also records the hires entries of the infotext). */
function hiresTarget(req: Record<string, unknown>, width: number, height: number, extra: Record<string, unknown>): [number, number] {
  const rx = num(req.hr_resize_x ?? 0);
  const ry = num(req.hr_resize_y ?? 0);
  let size: [number, number];
  if (rx === 0 && ry === 0) {
    extra['Hires upscale'] = req.hr_scale;
    const scale = num(req.hr_scale ?? 2);
    size = [Math.trunc(width * scale), Math.trunc(height * scale)];
  } else {
    extra['Hires resize'] = `${rx}x${ry}`;
    if (ry === 0) size = [rx, Math.floor((rx * height) / width)];
    else if (rx === 0) size = [Math.floor((ry * width) / height), ry];
    else size = [rx, ry];
  }
  if (num(req.hr_second_pass_steps)) extra['Hires steps'] = req.hr_second_pass_steps;
  if (req.hr_upscaler != null) extra['Hires upscaler'] = req.hr_upscaler;
  return size;
}

/** `get_fixed_seed`: -1 (or null) means random. */
function fixedSeed(seed: unknown): number {
  const n = seed == null || seed === '' ? -1 : num(seed);
  return n === -1 ? Math.floor(Math.random() * 4294967294) : n;
}

/** Latents are width/8 × height/8, so the decoded image is rounded down to a multiple of 8. */
function cap(core: EmulatorCore, side: number): number {
  return Math.min(Math.max(8, Math.floor(side / 8) * 8), core.settings.maxImageSide);
}

function render(core: EmulatorCore, width: number, height: number, seed: number, text: Record<string, string>): Promise<Buffer> {
  return makePng({ width: cap(core, width), height: cap(core, height), seed, text });
}

