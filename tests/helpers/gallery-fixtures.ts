/**
 * Real-shaped image files as the tools that make them write them, for the gallery's
 * indexing tests and benchmark: Forge/A1111 PNGs (infotext in a `parameters` tEXt chunk),
 * A1111 JPEGs (infotext in EXIF UserComment, `UNICODE` + UTF-16BE as piexif writes it),
 * ComfyUI PNGs (`prompt` API graph and `workflow` UI graph chunks), InvokeAI PNGs
 * (`invokeai_metadata` JSON).
 */
import sharp from 'sharp';
import { makePng } from '../emulators/png.ts';

export interface ForgeFields {
  prompt: string;
  negative?: string;
  seed: number;
  model: string;
  modelHash?: string;
  sampler?: string;
  scheduler?: string;
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
  /** `Lora hashes` entries: name → hash. */
  loraHashes?: Record<string, string>;
}

/** The infotext Forge writes: prompt, Negative prompt line, then the settings line. */
export function forgeInfotext(f: ForgeFields): string {
  const settings = [
    `Steps: ${f.steps ?? 20}`, `Sampler: ${f.sampler ?? 'DPM++ 2M'}`, `Schedule type: ${f.scheduler ?? 'Karras'}`, `CFG scale: ${f.cfg ?? 7}`,
    `Seed: ${f.seed}`, `Size: ${f.width ?? 64}x${f.height ?? 64}`, `Model hash: ${f.modelHash ?? '6ce0161689'}`, `Model: ${f.model}`,
  ];
  if (f.loraHashes && Object.keys(f.loraHashes).length) {
    settings.push(`Lora hashes: "${Object.entries(f.loraHashes).map(([n, h]) => `${n}: ${h}`).join(', ')}"`);
  }
  settings.push('Version: f2.0.1v1.10.1-previous-665-gae278f79');
  return `${f.prompt}${f.negative ? `\nNegative prompt: ${f.negative}` : ''}\n${settings.join(', ')}`;
}

export async function forgePng(f: ForgeFields): Promise<Buffer> {
  return makePng({ width: f.width ?? 64, height: f.height ?? 64, seed: f.seed, text: { parameters: forgeInfotext(f) } });
}

/** An EXIF APP1 segment whose Exif IFD holds UserComment, laid out as piexif writes A1111's JPEGs. */
function exifUserCommentSegment(text: string): Buffer {
  const comment = Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from(text, 'utf16le').swap16()]);
  // TIFF (big-endian): header, IFD0 with one entry (ExifIFD pointer), Exif IFD with one entry (UserComment).
  const ifd0At = 8;
  const exifIfdAt = ifd0At + 2 + 12 + 4;
  const commentAt = exifIfdAt + 2 + 12 + 4;
  const tiff = Buffer.alloc(commentAt + comment.length);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0At, 4);
  tiff.writeUInt16BE(1, ifd0At);
  tiff.writeUInt16BE(0x8769, ifd0At + 2);
  tiff.writeUInt16BE(4, ifd0At + 4); // LONG
  tiff.writeUInt32BE(1, ifd0At + 6);
  tiff.writeUInt32BE(exifIfdAt, ifd0At + 10);
  tiff.writeUInt32BE(0, ifd0At + 14);
  tiff.writeUInt16BE(1, exifIfdAt);
  tiff.writeUInt16BE(0x9286, exifIfdAt + 2);
  tiff.writeUInt16BE(7, exifIfdAt + 4); // UNDEFINED
  tiff.writeUInt32BE(comment.length, exifIfdAt + 6);
  tiff.writeUInt32BE(commentAt, exifIfdAt + 10);
  tiff.writeUInt32BE(0, exifIfdAt + 14);
  comment.copy(tiff, commentAt);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/** A JPEG saved by A1111/Forge: the infotext in EXIF UserComment. */
export async function forgeJpeg(f: ForgeFields): Promise<Buffer> {
  const png = await makePng({ width: f.width ?? 64, height: f.height ?? 64, seed: f.seed });
  const jpeg = await sharp(png).jpeg({ quality: 80 }).toBuffer();
  // Right after SOI, before JFIF/quantisation tables, as piexif inserts it.
  return Buffer.concat([jpeg.subarray(0, 2), exifUserCommentSegment(forgeInfotext(f)), jpeg.subarray(2)]);
}

export interface ComfyFields {
  positive: string;
  negative: string;
  seed: number;
  ckpt: string;
  loras?: { name: string; strength: number }[];
  steps?: number;
  cfg?: number;
  sampler?: string;
  scheduler?: string;
  width?: number;
  height?: number;
}

/** The API-format graph ComfyUI stores in the `prompt` chunk: checkpoint → LoRAs → KSampler → VAE decode → save. */
export function comfyGraph(f: ComfyFields): Record<string, unknown> {
  const graph: Record<string, unknown> = {
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: f.ckpt } },
  };
  let model: [string, number] = ['4', 0];
  let clip: [string, number] = ['4', 1];
  (f.loras ?? []).forEach((lora, i) => {
    const id = String(20 + i);
    graph[id] = { class_type: 'LoraLoader', inputs: { lora_name: lora.name, strength_model: lora.strength, strength_clip: lora.strength, model, clip } };
    model = [id, 0];
    clip = [id, 1];
  });
  Object.assign(graph, {
    5: { class_type: 'EmptyLatentImage', inputs: { width: f.width ?? 64, height: f.height ?? 64, batch_size: 1 } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: f.positive, clip } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: f.negative, clip } },
    3: {
      class_type: 'KSampler',
      inputs: {
        seed: f.seed, steps: f.steps ?? 25, cfg: f.cfg ?? 6.5, sampler_name: f.sampler ?? 'euler_ancestral', scheduler: f.scheduler ?? 'normal',
        denoise: 1, model, positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0],
      },
    },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  });
  return graph;
}

export async function comfyPng(f: ComfyFields): Promise<Buffer> {
  const graph = comfyGraph(f);
  // The UI-format graph beside it: only its shape matters to readers (nodes and links).
  const workflow = { last_node_id: 9, last_link_id: 9, nodes: Object.keys(graph).map((id) => ({ id: Number(id), type: (graph[id] as { class_type: string }).class_type })), links: [], version: 0.4 };
  return makePng({ width: f.width ?? 64, height: f.height ?? 64, seed: f.seed, text: { prompt: JSON.stringify(graph), workflow: JSON.stringify(workflow) } });
}

/** An InvokeAI PNG: its metadata as JSON in `invokeai_metadata`. */
export async function invokePng(f: { prompt: string; negative: string; seed: number; model: string; lora?: string }): Promise<Buffer> {
  const meta = {
    generation_mode: 'txt2img', positive_prompt: f.prompt, negative_prompt: f.negative, width: 64, height: 64, seed: f.seed,
    steps: 30, cfg_scale: 7.5, scheduler: 'dpmpp_2m_k', model: { key: 'k1', hash: 'blake3:abc', name: f.model, base: 'sdxl', type: 'main' },
    loras: f.lora ? [{ model: { key: 'k2', name: f.lora, base: 'sdxl', type: 'lora' }, weight: 0.75 }] : [],
  };
  return makePng({ width: 64, height: 64, seed: f.seed, text: { invokeai_metadata: JSON.stringify(meta) } });
}
