import path from 'node:path';
import type { Readable } from 'node:stream';

export interface ZipEntry {
  file: string;
  /** The name wanted inside the zip; made unique if another entry has it. */
  name: string;
}

/**
 * The chosen images as one zip, streamed as it is written (never built in memory): files
 * are stored as they are (images do not compress) and opened one at a time as the zip
 * reaches them, so 10,000 images need one open file, not 10,000.
 */
export async function imagesZip(entries: readonly ZipEntry[]): Promise<Readable> {
  // Loaded on first use: the zip library is only needed when someone downloads.
  const { ZipArchive } = await import('archiver');
  const zip = new ZipArchive({ store: true });
  const used = new Set<string>();
  for (const entry of entries) {
    zip.file(entry.file, { name: uniqueName(entry.name, used) });
  }
  void zip.finalize();
  return zip;
}

function uniqueName(name: string, used: Set<string>): string {
  const ext = path.posix.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let candidate = name;
  for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  used.add(candidate.toLowerCase());
  return candidate;
}
