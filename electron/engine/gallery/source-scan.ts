import fs from 'node:fs/promises';
import path from 'node:path';
import type { IndexedImage } from './gallery-store.ts';
import { readImageHeader } from './metadata/image-header.ts';
import { readMetadata } from './metadata/read-metadata.ts';

/** Image files a gallery source indexes. */
export const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** A file found in a source's folder: its path relative to the folder, with forward slashes. */
export interface FoundFile {
  relative: string;
  bytes: number;
  mtimeMs: number;
}

/** Folders and files whose name starts with a dot (the trash, `.thumbnails`, editors' files) are not walked. */
const hidden = (name: string) => name.startsWith('.');

/** Runs `work` over `items` with at most `limit` at a time, in order of the results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  });
  await Promise.all(runners);
  return out;
}

/** Every image file under the folder, with its size and modification time. */
export async function listImageFiles(root: string): Promise<FoundFile[]> {
  const names: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    const subdirs: Promise<void>[] = [];
    for (const entry of entries) {
      if (hidden(entry.name)) continue;
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) subdirs.push(walk(path.join(dir, entry.name), relative));
      else if (entry.isFile() && IMAGE_FILE.test(entry.name)) names.push(relative);
    }
    await Promise.all(subdirs);
  };
  await walk(root, '');
  const stats = await mapLimit(names, 32, async (relative) => fs.stat(path.join(root, relative)).catch(() => null));
  return names.flatMap((relative, i) => {
    const stat = stats[i];
    return stat ? [{ relative, bytes: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) }] : [];
  });
}

/** Reads one file's header and metadata into a row; null when it is not an image we can read. */
export function readSourceFile(root: string, sourceId: number, file: FoundFile): IndexedImage | null {
  try {
    const header = readImageHeader(path.join(root, file.relative), file.bytes);
    if (!header) return null;
    return {
      source_id: sourceId,
      file_path: file.relative,
      mime: header.mime,
      bytes: file.bytes,
      file_mtime_ms: file.mtimeMs,
      created_at: new Date(file.mtimeMs).toISOString(),
      meta: readMetadata(header.text, header),
    };
  } catch {
    return null;
  }
}

/** Files read per slice before the event loop gets a turn (a slice of a local disk takes a few ms). */
const SLICE = 32;

/** Reads the files a slice at a time, yielding between slices, so requests are served while a folder is indexed. */
export async function readSourceFiles(root: string, sourceId: number, files: readonly FoundFile[]): Promise<IndexedImage[]> {
  const out: IndexedImage[] = [];
  for (let i = 0; i < files.length; i += SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const file of files.slice(i, i + SLICE)) {
      const row = readSourceFile(root, sourceId, file);
      if (row) out.push(row);
    }
  }
  return out;
}
