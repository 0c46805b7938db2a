import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelKind } from '../../../../shared/models.ts';
import type { LibraryRoot } from './library-roots.ts';

/** Model file extensions per kind (ComfyUI `supported_pt_extensions` plus GGUF). */
const EXTENSIONS: Record<ModelKind, ReadonlySet<string>> = {
  checkpoint: new Set(['.safetensors', '.ckpt', '.pt', '.pt2', '.pth', '.bin', '.sft', '.gguf']),
  lora: new Set(['.safetensors', '.ckpt', '.pt', '.pth', '.bin', '.sft']),
  vae: new Set(['.safetensors', '.ckpt', '.pt', '.pth', '.bin', '.sft']),
  embedding: new Set(['.safetensors', '.pt', '.bin', '.pth']),
};

export function isModelFile(kind: ModelKind, name: string): boolean {
  if (name.startsWith('.')) return false;
  return EXTENSIONS[kind].has(path.extname(name).toLowerCase());
}

export interface FoundModel {
  kind: ModelKind;
  root: string;
  absPath: string;
  /** relative to the root, `/`-separated */
  relPath: string;
  size: number;
  mtimeMs: number;
  /** All file names in the model's folder, for sidecar lookups without extra stats. */
  dirFiles: ReadonlySet<string>;
}

const STAT_CONCURRENCY = 64;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Walks the roots recursively (symlinked folders followed once, hidden folders and other
 * roots nested inside skipped) and stats each model file.
 */
export async function walkModels(roots: LibraryRoot[]): Promise<FoundModel[]> {
  const rootPaths = new Set(roots.map((r) => r.path));
  const candidates: { kind: ModelKind; root: string; absPath: string; dirFiles: ReadonlySet<string> }[] = [];
  for (const root of roots) {
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      let real: string;
      try {
        real = await fs.realpath(dir);
      } catch {
        return;
      }
      if (seen.has(real)) return;
      seen.add(real);
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      const names = new Set(entries.map((e) => e.name));
      const subdirs: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() || entry.isSymbolicLink()) {
          if (entry.name.startsWith('.') || (full !== root.path && rootPaths.has(full))) continue;
          if (entry.isSymbolicLink()) {
            const stat = await fs.stat(full).catch(() => null);
            if (stat?.isDirectory()) subdirs.push(full);
            else if (stat?.isFile() && isModelFile(root.kind, entry.name)) candidates.push({ kind: root.kind, root: root.path, absPath: full, dirFiles: names });
            continue;
          }
          subdirs.push(full);
        } else if (entry.isFile() && isModelFile(root.kind, entry.name)) {
          candidates.push({ kind: root.kind, root: root.path, absPath: full, dirFiles: names });
        }
      }
      await Promise.all(subdirs.map(walk));
    };
    await walk(root.path);
  }
  const stats = await mapLimit(candidates, STAT_CONCURRENCY, (c) => fs.stat(c.absPath).catch(() => null));
  const found: FoundModel[] = [];
  const byPath = new Set<string>();
  candidates.forEach((c, i) => {
    const stat = stats[i];
    if (!stat || byPath.has(c.absPath)) return;
    byPath.add(c.absPath);
    found.push({
      ...c,
      relPath: path.relative(c.root, c.absPath).split(path.sep).join('/'),
      size: stat.size,
      mtimeMs: Math.trunc(stat.mtimeMs),
    });
  });
  return found;
}
