// Where images go: folder_paths.get_save_image_path() for the file names and
// counters, real PNGs (with tEXt chunks) for SaveImage/PreviewImage, and small
// JPEGs for sampler previews.
import { readdirSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { makePng } from '../png.ts';
import type { UiImage } from './types.ts';

export interface ImageDirs {
  output: string;
  input: string;
  temp: string;
}

export interface ImageBatch {
  /** Requested size: what the real server would write. */
  width: number;
  height: number;
  batch: number;
  /** Pixel content seed; different seeds must give different files. */
  contentSeed: number;
}

export class SavePathError extends Error {}

/** SaveImage.save_images(): one PNG per batch item, counter continuing from the folder's highest. */
export async function saveImageBatch(opts: {
  dir: string;
  type: 'output' | 'temp';
  prefix: string;
  images: ImageBatch;
  text: Record<string, string>;
  maxSide: number;
}): Promise<UiImage[]> {
  const { images } = opts;
  const target = await saveImagePath(opts.prefix, opts.dir, images.width, images.height);
  const results: UiImage[] = [];
  const { width, height } = fitWithin(images.width, images.height, opts.maxSide);
  let counter = target.counter;
  for (let batchNumber = 0; batchNumber < images.batch; batchNumber++) {
    const name = target.filename.replaceAll('%batch_num%', String(batchNumber));
    const file = `${name}_${String(counter).padStart(5, '0')}_.png`;
    const png = await makePng({ width, height, seed: (images.contentSeed + batchNumber) >>> 0, text: opts.text });
    await writeFile(path.join(target.folder, file), png);
    results.push({ filename: file, subfolder: target.subfolder, type: opts.type });
    counter++;
  }
  return results;
}

/** folder_paths.get_save_image_path() */
export async function saveImagePath(
  prefixIn: string,
  outputDir: string,
  width: number,
  height: number,
): Promise<{ folder: string; filename: string; counter: number; subfolder: string }> {
  let prefix = prefixIn;
  if (prefix.includes('%')) prefix = computeVars(prefix, width, height);
  const normalized = path.posix.normalize(prefix);
  const subfolder = path.posix.dirname(normalized) === '.' ? '' : path.posix.dirname(normalized);
  const filename = path.posix.basename(normalized);
  const folder = path.resolve(outputDir, subfolder);
  if (folder !== outputDir && !folder.startsWith(outputDir + path.sep)) {
    throw new SavePathError(
      '**** ERROR: Saving image outside the output folder is not allowed.' +
        `\n full_output_folder: ${folder}\n         output_dir: ${outputDir}\n         commonpath: ${commonPath(outputDir, folder)}`,
    );
  }
  let counter = 1;
  try {
    let highest = 0;
    let found = false;
    for (const entry of await readdir(folder)) {
      const prefixLen = filename.length;
      const head = entry.slice(0, prefixLen + 1);
      if (head.slice(0, -1) !== filename || !head.endsWith('_')) continue;
      const digits = Number.parseInt(entry.slice(prefixLen + 1).split('_')[0], 10);
      const value = /^\d+$/.test(entry.slice(prefixLen + 1).split('_')[0]) ? digits : 0;
      found = true;
      highest = Math.max(highest, value);
    }
    counter = found ? highest + 1 : 1;
  } catch {
    await mkdir(folder, { recursive: true });
  }
  return { folder, filename, counter, subfolder };
}

function computeVars(input: string, width: number, height: number): string {
  const now = new Date();
  const two = (n: number): string => String(n).padStart(2, '0');
  return input
    .replaceAll('%width%', String(width))
    .replaceAll('%height%', String(height))
    .replaceAll('%year%', String(now.getFullYear()))
    .replaceAll('%month%', two(now.getMonth() + 1))
    .replaceAll('%day%', two(now.getDate()))
    .replaceAll('%hour%', two(now.getHours()))
    .replaceAll('%minute%', two(now.getMinutes()))
    .replaceAll('%second%', two(now.getSeconds()));
}

function commonPath(a: string, b: string): string {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return x.slice(0, i).join(path.sep) || path.sep;
}

/** Scale down to fit maxSide, keeping the aspect ratio; real pixels stay cheap. */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A latent-sized JPEG (1/8 of the image, like TAESD/latent2rgb previews) tinted by seed and step. */
export async function makePreviewJpeg(width: number, height: number, seed: number, step: number): Promise<Buffer> {
  const w = Math.max(8, Math.min(64, Math.round(width / 8)));
  const h = Math.max(8, Math.min(64, Math.round(height / 8)));
  const mix = hash32(`${seed}:${step}`);
  return sharp({ create: { width: w, height: h, channels: 3, background: { r: mix & 255, g: (mix >>> 8) & 255, b: (mix >>> 16) & 255 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** FNV-1a, for deriving pixel seeds from node signatures. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** LoadImage's file list: files directly in input/, sorted. */
export function listInputFiles(inputDir: string): string[] {
  try {
    const entries = readdirSync(inputDir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}
