// GET /view and POST /upload/image, with server.py's path checks: 400 for a
// bad name or type, 403 for a subfolder that escapes, 404 when missing.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { emptyReply, jsonReply, RequestCrash, type Reply, type RouteRequest } from './http-kit.ts';
import type { ImageDirs } from './image-files.ts';
import { parseMultipart } from './multipart.ts';

const MIME_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.txt': 'text/plain',
};

/** folder_paths.get_directory_by_type() */
function dirByType(dirs: ImageDirs, type: string): string | null {
  if (type === 'output') return dirs.output;
  if (type === 'input') return dirs.input;
  if (type === 'temp') return dirs.temp;
  return null;
}

/** folder_paths.annotated_filepath(): `name.png [output]` picks the directory. */
function annotatedFilepath(name: string, dirs: ImageDirs): [string, string | null] {
  if (name.endsWith('[output]')) return [name.slice(0, -9), dirs.output];
  if (name.endsWith('[input]')) return [name.slice(0, -8), dirs.input];
  if (name.endsWith('[temp]')) return [name.slice(0, -7), dirs.temp];
  return [name, null];
}

function isWithin(dir: string, target: string): boolean {
  return target === dir || target.startsWith(dir + path.sep);
}

export async function viewFile(req: RouteRequest, dirs: ImageDirs): Promise<Reply> {
  const query = req.query;
  const requested = query.get('filename');
  if (requested === null) return emptyReply(404);
  let [filename, outputDir] = annotatedFilepath(requested, dirs);
  if (filename.length === 0) throw new RequestCrash('string index out of range');
  if (filename.startsWith('/') || filename.includes('..')) return emptyReply(400);
  if (outputDir === null) outputDir = dirByType(dirs, query.get('type') ?? 'output');
  if (outputDir === null) return emptyReply(400);
  const subfolder = query.get('subfolder');
  if (subfolder !== null) {
    const full = path.resolve(outputDir, subfolder);
    if (!isWithin(outputDir, full)) return emptyReply(403);
    outputDir = full;
  }
  filename = path.basename(filename);
  const file = path.join(outputDir, filename);
  if (!isFile(file)) return emptyReply(404);

  const channel = query.get('channel');
  const preview = query.get('preview');
  if (preview !== null) {
    const info = preview.split(';');
    let format = info[0];
    if ((format !== 'webp' && format !== 'jpeg') || (channel ?? '').includes('a')) format = 'webp';
    const last = info[info.length - 1];
    const quality = /^\d+$/.test(last) ? Math.max(1, Math.min(100, Number(last))) : 90;
    let image = sharp(file);
    if (format === 'jpeg' || channel === 'rgb') image = image.removeAlpha();
    const body = format === 'jpeg' ? await image.jpeg({ quality }).toBuffer() : await image.webp({ quality }).toBuffer();
    return { status: 200, headers: { 'Content-Type': `image/${format}`, 'Content-Disposition': `filename="${filename.replaceAll('png', format)}"` }, body };
  }
  const disposition = { 'Content-Disposition': `filename="${filename}"` };
  if (channel === 'rgb') {
    const body = await sharp(file).removeAlpha().png().toBuffer();
    return { status: 200, headers: { 'Content-Type': 'image/png', ...disposition }, body };
  }
  if (channel === 'a') {
    const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const alphaOnly = Buffer.alloc(data.length);
    for (let i = 3; i < data.length; i += 4) alphaOnly[i] = data[i];
    const body = await sharp(alphaOnly, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
    return { status: 200, headers: { 'Content-Type': 'image/png', ...disposition }, body };
  }
  const body = await readFile(file);
  const type = MIME_TYPES[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
  return { status: 200, headers: { 'Content-Type': type, 'Last-Modified': statSync(file).mtime.toUTCString(), ...disposition }, body };
}

export async function uploadImage(req: RouteRequest, dirs: ImageDirs): Promise<Reply> {
  const contentType = req.headers['content-type'];
  const fields = parseMultipart(typeof contentType === 'string' ? contentType : undefined, req.body);
  const image = fields?.get('image');
  if (!fields || !image || image.filename === undefined) return emptyReply(400);
  const overwrite = fields.get('overwrite')?.data.toString('utf8');
  const typeField = fields.get('type')?.data.toString('utf8');
  const uploadType = typeField ?? 'input';
  const uploadDir = dirByType(dirs, uploadType);
  if (uploadDir === null) throw new RequestCrash("cannot access local variable 'type_dir'");
  let filename = image.filename;
  if (!filename) return emptyReply(400);
  const subfolder = fields.get('subfolder')?.data.toString('utf8') ?? '';
  const folder = path.join(uploadDir, path.normalize(subfolder || '.'));
  let filepath = path.resolve(folder, filename);
  if (!isWithin(uploadDir, filepath)) return emptyReply(400);
  await mkdir(folder, { recursive: true });

  const ext = path.extname(filename);
  const stem = filename.slice(0, filename.length - ext.length);
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    // A name collision gets "x (1).png" unless the bytes are identical.
    for (let i = 1; existsSync(filepath); i++) {
      if (sameBytes(await readFile(filepath), image.data)) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${ext}`;
      filepath = path.join(folder, filename);
    }
  }
  if (!duplicate) await writeFile(filepath, image.data);
  return jsonReply({ name: filename, subfolder, type: uploadType });
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return createHash('sha256').update(a).digest('hex') === createHash('sha256').update(b).digest('hex');
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
