import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ModelKind, ScanState } from '../../../../shared/models.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { EventBus } from '../../event-bus.ts';
import { HashPool } from '../hashing/hash-pool.ts';
import { HashQueue } from '../hashing/hash-queue.ts';
import type { LibraryRoot } from './library-roots.ts';
import type { ModelRow } from './model-row.ts';
import { ModelStore } from './model-store.ts';
import { readModelFacts } from './read-model-facts.ts';
import { scanLibrary, type ScanResult } from './scan-library.ts';

const CHANGED_COALESCE_MS = 500;

type ChangeReason = 'scan' | 'hash' | 'civitai' | 'download' | 'manage';

/**
 * The local model library: folder roots, the SQLite index (also the hash cache), scans,
 * background hashing and the events the UI follows.
 */
export class ModelLibrary {
  readonly store: ModelStore;
  readonly roots: LibraryRoot[];
  readonly hashes: HashQueue;
  readonly pool: HashPool;
  readonly #bus: EventBus;
  readonly #logger: Logger;
  #scanning: Promise<ScanResult> | null = null;
  #rescan = false;
  #lastScanAt: number | null = null;
  #lastScanMs: number | null = null;
  #pendingChanged = new Map<ChangeReason, Set<number>>();
  #changedTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(deps: { db: Db; clock: Clock; logger: Logger; bus: EventBus; roots: LibraryRoot[]; pool?: HashPool }) {
    this.store = new ModelStore(deps.db, deps.clock);
    this.roots = deps.roots;
    this.#bus = deps.bus;
    this.#logger = deps.logger;
    this.pool = deps.pool ?? new HashPool(2);
    this.hashes = new HashQueue({
      store: this.store,
      pool: this.pool,
      logger: deps.logger,
      onProgress: (p) => this.#bus.emit({ type: 'models.hashing', ...p }),
      onHashed: (row) => this.changed('hash', [row.id]),
      onIdle: () => this.#bus.emit({ type: 'models.scan', scan: this.scanState() }),
    });
  }

  async rootStates(): Promise<ScanState['roots']> {
    return Promise.all(this.roots.map(async (r) => ({
      kind: r.kind, path: r.path, exists: await fs.stat(r.path).then((s) => s.isDirectory(), () => false),
    })));
  }

  scanState(rootsExist?: ScanState['roots']): ScanState {
    return {
      scanning: this.#scanning !== null,
      last_scan_at: this.#lastScanAt ? new Date(this.#lastScanAt).toISOString() : null,
      last_scan_ms: this.#lastScanMs,
      files: this.store.count(),
      roots: rootsExist ?? this.roots.map((r) => ({ kind: r.kind, path: r.path, exists: true })),
      hashing: this.hashes.state(),
    };
  }

  /** Scans now; a scan asked for while one runs starts once it ends (the two calls share it). */
  scan(opts: { force?: boolean } = {}): Promise<ScanResult> {
    if (this.#scanning) {
      this.#rescan = true;
      return this.#scanning;
    }
    this.#scanning = this.#runScan(opts).finally(() => {
      this.#scanning = null;
      if (this.#rescan && !this.#stopped) {
        this.#rescan = false;
        void this.scan().catch(() => {});
      }
    });
    return this.#scanning;
  }

  async #runScan(opts: { force?: boolean }): Promise<ScanResult> {
    this.#bus.emit({ type: 'models.scan', scan: { ...this.scanState(), scanning: true } });
    try {
      const result = await scanLibrary(this.roots, this.store, { force: opts.force });
      this.#lastScanAt = Date.now();
      this.#lastScanMs = result.ms;
      if (result.inserted || result.changed || result.sidecars || result.removed) {
        const ids = result.touchedPaths.map((p) => this.store.byPath(p)?.id).filter((id): id is number => id !== undefined);
        this.changed('scan', ids);
      }
      this.#logger.info({ files: result.files, inserted: result.inserted, changed: result.changed, removed: result.removed, ms: result.ms }, 'model library scanned');
      this.hashes.enqueuePending();
      return result;
    } finally {
      queueMicrotask(() => this.#bus.emit({ type: 'models.scan', scan: this.scanState() }));
    }
  }

  get scanning(): boolean {
    return this.#scanning !== null;
  }

  /** Coalesces "these models changed" into one event per half second per reason. */
  changed(reason: ChangeReason, ids: number[]): void {
    if (this.#stopped) return;
    const set = this.#pendingChanged.get(reason) ?? new Set<number>();
    for (const id of ids) set.add(id);
    this.#pendingChanged.set(reason, set);
    this.#changedTimer ??= setTimeout(() => {
      this.#changedTimer = null;
      const pending = this.#pendingChanged;
      this.#pendingChanged = new Map();
      for (const [r, s] of pending) {
        this.#bus.emit({ type: 'models.changed', reason: r, ids: [...s].slice(0, 5000) });
      }
    }, CHANGED_COALESCE_MS);
  }

  /**
   * Records a file that was just written (a finished download) without waiting for a scan:
   * its SHA256 is already known, so only AutoV3 is left for the hash queue.
   */
  async ingest(kind: ModelKind, root: string, absPath: string, sha256: string | null): Promise<ModelRow> {
    const stat = await fs.stat(absPath);
    const dirFiles = new Set(await fs.readdir(path.dirname(absPath)));
    const facts = await readModelFacts({
      kind, root, absPath, relPath: path.relative(root, absPath).split(path.sep).join('/'),
      size: stat.size, mtimeMs: Math.trunc(stat.mtimeMs), dirFiles,
    }, undefined);
    let row = this.store.upsertFile(facts.fields);
    if (facts.civitai) this.store.setCivitai(row.id, facts.civitai);
    if (sha256) this.store.setSha256(row, sha256);
    row = this.store.get(row.id)!;
    this.hashes.enqueue(row.id);
    this.changed('download', [row.id]);
    return row;
  }

  /** Re-reads a model's sidecars (after StableQueue wrote some). */
  async refreshSidecars(id: number): Promise<ModelRow | undefined> {
    const row = this.store.get(id);
    if (!row) return undefined;
    const dirFiles = new Set(await fs.readdir(path.dirname(row.abs_path)).catch(() => [] as string[]));
    const facts = await readModelFacts({
      kind: row.kind, root: row.root, absPath: row.abs_path, relPath: row.rel_path, size: row.size, mtimeMs: row.mtime_ms, dirFiles,
    }, row.header_json ? JSON.parse(row.header_json) : null);
    this.store.applyScan({ inserted: [], changed: [], sidecars: [facts], removed: [] });
    return this.store.get(id);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#changedTimer) clearTimeout(this.#changedTimer);
    await this.hashes.stop();
    await this.#scanning?.catch(() => {});
    await this.pool.close();
  }
}
