import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { GallerySource, GallerySourceState } from '../../../shared/images.ts';
import { isoAt, type Clock } from '../clock.ts';
import { DomainError } from '../domain-error.ts';
import type { EventBus } from '../event-bus.ts';
import type { GalleryStore, IndexedImage } from './gallery-store.ts';
import { IMAGE_FILE, listImageFiles, readSourceFiles, type FoundFile } from './source-scan.ts';
import type { SourceRow, SourceStore } from './source-store.ts';

/** Files written per transaction: commits stay rare, and one transaction holds the event loop for milliseconds, not seconds. */
const BATCH = 100;
/** How long a new file must stay unchanged before it is read (a tool may still be writing it). */
const SETTLE_MS = 400;
const PROGRESS_EVERY_MS = 250;

interface Live {
  state: GallerySourceState;
  indexed: number;
  total: number;
  error: string | null;
  watcher: FSWatcher | null;
  /** The running scan; a rescan waits for it. */
  scan: Promise<void> | null;
  lastProgress: number;
  pending: Map<string, 'add' | 'unlink'>;
  flushTimer: NodeJS.Timeout | null;
  stopped: boolean;
}

export interface SourceIndexerDeps {
  store: GalleryStore;
  sources: SourceStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** StableQueue's own outputs: not a source (its images are in the gallery already). */
  outputsDir: string;
  /** Watch folders for changes (off in benchmarks that only measure indexing). */
  watch?: boolean;
}

/**
 * Indexes gallery sources in place: a background scan reads each image's header and
 * metadata (never its pixels) in batched transactions, skipping files whose size and
 * modification time the index already has, so a restart resumes instead of starting
 * over; then a watcher adds new files within seconds and removes rows of files removed
 * outside StableQueue. Files are never moved or copied.
 */
export class SourceIndexer {
  readonly #deps: SourceIndexerDeps;
  readonly #live = new Map<number, Live>();

  constructor(deps: SourceIndexerDeps) {
    this.#deps = deps;
  }

  /** Scans and watches every source, and adds the ones named by the environment. */
  start(extraPaths: readonly string[] = []): void {
    for (const folder of extraPaths) {
      const resolved = path.resolve(folder);
      if (!this.#deps.sources.byPath(resolved)) {
        try {
          this.add(resolved);
        } catch (error) {
          this.#deps.logger.warn({ folder, err: error }, 'gallery source from GALLERY_IMPORT_PATHS not added');
        }
      }
    }
    for (const source of this.#deps.sources.all()) if (!this.#live.has(source.id)) this.#begin(source);
  }

  async stop(): Promise<void> {
    const all = [...this.#live.values()];
    for (const live of all) {
      live.stopped = true;
      if (live.flushTimer) clearTimeout(live.flushTimer);
    }
    await Promise.all(all.map(async (live) => {
      await live.watcher?.close();
      await live.scan?.catch(() => {});
    }));
    this.#live.clear();
  }

  list(): GallerySource[] {
    return this.#deps.sources.all().map((s) => this.view(s));
  }

  view(source: SourceRow): GallerySource {
    const live = this.#live.get(source.id);
    return {
      id: source.id, path: source.path, label: source.label, state: live?.state ?? 'indexing',
      indexed: live?.indexed ?? 0, total: live?.total ?? 0, error: live?.error ?? null,
    };
  }

  /** Adds a folder; its scan starts in the background. */
  add(folder: string, label?: string): SourceRow {
    const resolved = path.resolve(folder);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new DomainError(400, 'source_not_found', `No folder at ${resolved}.`);
    }
    if (!stat.isDirectory()) throw new DomainError(400, 'source_not_a_folder', `${resolved} is not a folder.`);
    const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + path.sep);
    const outputs = path.resolve(this.#deps.outputsDir);
    if (inside(resolved, outputs) || inside(outputs, resolved)) {
      throw new DomainError(409, 'source_overlaps_outputs', 'That folder holds StableQueue\'s own outputs, which are in the gallery already.');
    }
    for (const existing of this.#deps.sources.all()) {
      if (inside(resolved, existing.path) || inside(existing.path, resolved)) {
        throw new DomainError(409, 'source_overlaps', `That folder overlaps the gallery source ${existing.path}.`);
      }
    }
    const row = this.#deps.sources.add(resolved, label?.trim() || path.basename(resolved) || resolved, isoAt(this.#deps.clock));
    this.#begin(row);
    return row;
  }

  /** Removes a source and its rows from the gallery; its files stay where they are. */
  async remove(id: number): Promise<boolean> {
    const live = this.#live.get(id);
    if (live) {
      live.stopped = true;
      if (live.flushTimer) clearTimeout(live.flushTimer);
      await live.watcher?.close();
      await live.scan?.catch(() => {});
      this.#live.delete(id);
    }
    return this.#deps.sources.remove(id);
  }

  /** Scans again (files changed while StableQueue was not running, or a watcher that missed events). */
  async rescan(id: number): Promise<void> {
    const source = this.#deps.sources.find(id);
    const live = this.#live.get(id);
    if (!source || !live) return;
    await live.scan?.catch(() => {});
    live.scan = this.#scan(source, live);
  }

  /** Resolves when every running scan has finished (tests, benchmarks). */
  async idle(): Promise<void> {
    await Promise.all([...this.#live.values()].map((l) => l.scan?.catch(() => {})));
  }

  #begin(source: SourceRow): void {
    const live: Live = {
      state: 'indexing', indexed: 0, total: 0, error: null, watcher: null, scan: null, lastProgress: 0,
      pending: new Map(), flushTimer: null, stopped: false,
    };
    this.#live.set(source.id, live);
    // The watcher starts first, so a file written during the scan is not missed.
    if (this.#deps.watch !== false && fs.existsSync(source.path)) live.watcher = this.#watch(source, live);
    live.scan = this.#scan(source, live);
  }

  #publish(source: SourceRow, live: Live, force = false): void {
    const now = Date.now();
    if (!force && now - live.lastProgress < PROGRESS_EVERY_MS) return;
    live.lastProgress = now;
    this.#deps.bus.emit({ type: 'gallery.source', source: this.view(source) });
  }

  async #scan(source: SourceRow, live: Live): Promise<void> {
    live.state = 'indexing';
    live.error = null;
    live.indexed = 0;
    try {
      if (!fs.existsSync(source.path)) {
        live.state = 'missing';
        live.total = 0;
        return;
      }
      const files = await listImageFiles(source.path);
      live.total = files.length;
      this.#publish(source, live, true);
      const known = this.#deps.store.sourceFiles(source.id);
      const toRead: FoundFile[] = [];
      const seen = new Set<string>();
      for (const file of files) {
        seen.add(file.relative);
        const row = known.get(file.relative);
        if (row && row.mtime === file.mtimeMs && row.bytes === file.bytes) live.indexed++;
        else toRead.push(file);
      }
      for (let i = 0; i < toRead.length && !live.stopped; i += BATCH) {
        const batch = toRead.slice(i, i + BATCH);
        const read = await readSourceFiles(source.path, source.id, batch);
        if (live.stopped) return;
        this.#deps.store.upsertIndexed(read);
        live.indexed += batch.length;
        this.#publish(source, live);
      }
      // Rows of files gone from the folder leave; a file the trash moved away is not gone.
      const gone = [...known].filter(([file, row]) => !seen.has(file) && row.state !== 'trash').map(([, row]) => row.id);
      if (gone.length && !live.stopped) this.#deps.store.removeMany(gone);
      live.state = 'watching';
    } catch (error) {
      live.state = 'error';
      live.error = error instanceof Error ? error.message : String(error);
      this.#deps.logger.warn({ source: source.path, err: error }, 'gallery source scan failed');
    } finally {
      if (!live.stopped) this.#publish(source, live, true);
    }
  }

  #watch(source: SourceRow, live: Live): FSWatcher {
    const watcher = watch(source.path, {
      ignoreInitial: true,
      ignored: (file, stats) => path.basename(file).startsWith('.') || (stats?.isFile() === true && !IMAGE_FILE.test(file)),
      awaitWriteFinish: { stabilityThreshold: SETTLE_MS, pollInterval: 100 },
    });
    const queue = (kind: 'add' | 'unlink') => (file: string) => {
      const relative = path.relative(source.path, file).split(path.sep).join('/');
      if (!IMAGE_FILE.test(relative) || relative.startsWith('..')) return;
      live.pending.set(relative, kind);
      live.flushTimer ??= setTimeout(() => {
        live.flushTimer = null;
        void this.#flush(source, live);
      }, 100);
    };
    watcher.on('add', queue('add')).on('change', queue('add')).on('unlink', queue('unlink'));
    watcher.on('unlinkDir', (dir) => {
      const prefix = `${path.relative(source.path, dir).split(path.sep).join('/')}/`;
      for (const [file, row] of this.#deps.store.sourceFiles(source.id)) if (file.startsWith(prefix) && row.state !== 'trash') live.pending.set(file, 'unlink');
      live.flushTimer ??= setTimeout(() => {
        live.flushTimer = null;
        void this.#flush(source, live);
      }, 100);
    });
    watcher.on('error', (error) => this.#deps.logger.warn({ source: source.path, err: error }, 'gallery source watcher error'));
    return watcher;
  }

  /** Applies the watcher's queued changes: new and changed files read and written, removed files' rows removed. */
  async #flush(source: SourceRow, live: Live): Promise<void> {
    const changes = [...live.pending];
    live.pending.clear();
    const added: FoundFile[] = [];
    for (const [relative, kind] of changes) {
      if (kind === 'unlink') {
        const row = this.#deps.store.sourceFile(source.id, relative);
        // A file the trash moved away keeps its row, to be restored or purged.
        if (row && row.state !== 'trash' && this.#deps.store.remove(row.id)) this.#deps.bus.emit({ type: 'image.deleted', image_id: row.id });
        continue;
      }
      try {
        const stat = await fs.promises.stat(path.join(source.path, relative));
        added.push({ relative, bytes: stat.size, mtimeMs: Math.trunc(stat.mtimeMs) });
      } catch {
        // Gone again before it could be read.
      }
    }
    if (!added.length || live.stopped) return;
    const before = new Set(added.map((f) => this.#deps.store.sourceFile(source.id, f.relative)?.id).filter((id) => id !== undefined));
    const read = await readSourceFiles(source.path, source.id, added);
    if (live.stopped) return;
    const ids = this.#deps.store.upsertIndexed(read);
    if (live.state === 'watching') {
      live.total += ids.filter((id) => !before.has(id)).length;
      live.indexed = live.total;
    }
    for (const id of ids) if (!before.has(id)) this.#deps.bus.emit({ type: 'image.created', image_id: id, source_id: source.id });
  }
}
