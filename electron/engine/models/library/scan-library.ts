import path from 'node:path';
import type { LibraryRoot } from './library-roots.ts';
import type { ModelStore, ScanEntry } from './model-store.ts';
import { readModelFacts, sidecarSignature, type StoredHeader } from './read-model-facts.ts';
import { walkModels, type FoundModel } from './walk-models.ts';

export interface ScanResult {
  files: number;
  inserted: number;
  changed: number;
  sidecars: number;
  removed: number;
  ms: number;
  touchedPaths: string[];
}

const READ_CONCURRENCY = 16;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/**
 * One pass over the library. The database is the hash cache: a file whose path, size and
 * mtime are unchanged keeps its hashes and is not opened; only its folder listing is
 * compared for sidecar changes. New and changed files get their header and sidecars read.
 * `force` re-reads every file's sidecars.
 */
export async function scanLibrary(roots: LibraryRoot[], store: ModelStore, opts: { force?: boolean; now?: () => number } = {}): Promise<ScanResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const found = await walkModels(roots);
  const index = store.fileIndex();
  const fresh: FoundModel[] = [];
  const modified: FoundModel[] = [];
  const sidecarOnly: FoundModel[] = [];
  for (const file of found) {
    const known = index.get(file.absPath);
    if (!known) fresh.push(file);
    else if (known.size !== file.size || known.mtime_ms !== file.mtimeMs) modified.push(file);
    else if (opts.force || known.sidecar_sig !== sidecarSignature(path.basename(file.absPath), file.dirFiles)) sidecarOnly.push(file);
    index.delete(file.absPath);
  }
  const removed = [...index.values()].map((r) => r.id);

  const read = (files: FoundModel[], reuseHeader: boolean) => mapLimit(files, READ_CONCURRENCY, async (file): Promise<ScanEntry> => {
    let stored: StoredHeader | null | undefined;
    if (reuseHeader) {
      const row = store.byPath(file.absPath);
      stored = row?.header_json ? JSON.parse(row.header_json) as StoredHeader : row?.ext === '.safetensors' ? undefined : null;
    }
    return readModelFacts(file, stored);
  });
  const inserted = await read(fresh, false);
  const changed = await read(modified, false);
  const sidecars = await read(sidecarOnly, true);
  if (inserted.length || changed.length || sidecars.length || removed.length) {
    store.applyScan({ inserted, changed, sidecars, removed });
  }
  return {
    files: found.length,
    inserted: inserted.length,
    changed: changed.length,
    sidecars: sidecars.length,
    removed: removed.length,
    ms: Math.round(now() - started),
    touchedPaths: [...fresh, ...modified, ...sidecarOnly].map((f) => f.absPath),
  };
}
