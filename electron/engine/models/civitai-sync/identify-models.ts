import type { Logger } from 'pino';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { CivitaiVersion } from '../../civitai/civitai-types.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/connection.ts';
import type { ModelLibrary } from '../library/model-library.ts';
import type { ModelRow } from '../library/model-row.ts';
import { writeModelSidecars, type SidecarOptions } from '../sidecars/write-sidecars.ts';
import { familyFromCivitai } from '../../../../shared/base-model-families.ts';

/** "Not on Civitai" answers are asked again after a week (a 404 is cached, but not for ever: a model may be published later). */
const NOT_FOUND_TTL_MS = 7 * 24 * 3600_000;
const VERSION_FETCH_CONCURRENCY = 3;

export interface IdentifyResult {
  checked: number;
  found: number;
  not_found: number;
  errors: number;
}

/**
 * Identifies hashed library files on Civitai: one bulk `POST by-hash/ids` for every
 * unknown SHA256, then the matched versions' details, which become the model's
 * `.civitai.info`, `<base>.json` fields and preview, and its Civitai link in the index.
 */
export class ModelIdentifier {
  readonly #db: Db;
  readonly #library: ModelLibrary;
  readonly #client: CivitaiClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #sidecars: () => SidecarOptions;
  #running: Promise<IdentifyResult> | null = null;

  constructor(deps: { db: Db; library: ModelLibrary; client: CivitaiClient; clock: Clock; logger: Logger; sidecars: () => SidecarOptions }) {
    this.#db = deps.db;
    this.#library = deps.library;
    this.#client = deps.client;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#sidecars = deps.sidecars;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  identify(opts: { ids?: number[]; force?: boolean; signal?: AbortSignal } = {}): Promise<IdentifyResult> {
    this.#running ??= this.#identify(opts).finally(() => { this.#running = null; });
    return this.#running;
  }

  #cached(sha: string): { model_id: number | null; version_id: number | null; checked_at: number } | undefined {
    return this.#db.prepare<[string], { model_id: number | null; version_id: number | null; checked_at: number }>(
      'SELECT model_id, version_id, checked_at FROM civitai_hash_cache WHERE sha256 = ?').get(sha);
  }

  #cache(sha: string, modelId: number | null, versionId: number | null): void {
    this.#db.prepare(`INSERT INTO civitai_hash_cache (sha256, model_id, version_id, checked_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (sha256) DO UPDATE SET model_id = excluded.model_id, version_id = excluded.version_id, checked_at = excluded.checked_at`)
      .run(sha, modelId, versionId, this.#clock.now());
  }

  async #identify(opts: { ids?: number[]; force?: boolean; signal?: AbortSignal }): Promise<IdentifyResult> {
    const store = this.#library.store;
    const rows = (opts.ids ? opts.ids.map((id) => store.get(id)).filter((r): r is ModelRow => !!r) : store.all())
      .filter((r) => r.sha256 && (opts.force || r.civitai_status === 'unknown' || r.civitai_status === 'error' || (r.civitai_status === 'found' && !r.has_civitai_info)));
    const result: IdentifyResult = { checked: rows.length, found: 0, not_found: 0, errors: 0 };
    if (rows.length === 0) return result;

    const now = this.#clock.now();
    const matches = new Map<string, { modelId: number; versionId: number }>();
    const ask: string[] = [];
    const failed = new Set<string>();
    for (const row of rows) {
      const cached = opts.force ? undefined : this.#cached(row.sha256!);
      if (cached?.version_id && cached.model_id) matches.set(row.sha256!, { modelId: cached.model_id, versionId: cached.version_id });
      else if (cached && now - cached.checked_at < NOT_FOUND_TTL_MS) continue;
      else ask.push(row.sha256!);
    }
    if (ask.length) {
      try {
        const ids = await this.#client.getIdsByHashes([...new Set(ask)].map((h) => h.toUpperCase()), opts.signal);
        const answered = new Map(ids.map((i) => [i.hash.toLowerCase(), i]));
        for (const sha of ask) {
          const hit = answered.get(sha);
          this.#cache(sha, hit?.modelId ?? null, hit?.modelVersionId ?? null);
          if (hit) matches.set(sha, { modelId: hit.modelId, versionId: hit.modelVersionId });
        }
      } catch (error) {
        this.#logger.warn({ err: (error as Error).message }, 'Civitai hash lookup failed');
        for (const sha of ask) failed.add(sha);
        for (const row of rows) if (failed.has(row.sha256!)) store.setCivitai(row.id, { ...this.#link(row), civitai_status: 'error' });
        result.errors += ask.length;
      }
    }

    const versions = new Map<number, Promise<{ version: CivitaiVersion; text: string } | null>>();
    const fetchVersion = (id: number) => {
      if (!versions.has(id)) {
        versions.set(id, this.#client.getVersionWithText(id, opts.signal).catch((error: Error) => {
          this.#logger.warn({ version: id, err: error.message }, 'Civitai version lookup failed');
          return null;
        }));
      }
      return versions.get(id)!;
    };
    const changed: number[] = [];
    const queue = [...rows];
    await Promise.all(Array.from({ length: VERSION_FETCH_CONCURRENCY }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const match = matches.get(row.sha256!);
        if (!match) {
          if (failed.has(row.sha256!)) continue;
          // A link its sidecars record (another tool's .civitai.info) is kept.
          store.setCivitai(row.id, { ...this.#link(row), civitai_status: row.civitai_model_id ? 'found' : 'not_found' });
          if (!row.civitai_model_id) result.not_found++;
          changed.push(row.id);
          continue;
        }
        const answer = await fetchVersion(match.versionId);
        if (!answer) {
          result.errors++;
          continue;
        }
        await this.applyVersion(row, answer.version, answer.text);
        result.found++;
        changed.push(row.id);
      }
    }));
    if (changed.length) this.#library.changed('civitai', changed);
    return result;
  }

  #link(row: ModelRow) {
    return {
      civitai_status: row.civitai_status,
      civitai_model_id: row.civitai_model_id,
      civitai_version_id: row.civitai_version_id,
      civitai_model_name: row.civitai_model_name,
      civitai_version_name: row.civitai_version_name,
      trained_words: row.trained_words,
    };
  }

  /** Writes the sidecars for a matched version and records the link and base model. */
  async applyVersion(row: ModelRow, version: CivitaiVersion, text: string): Promise<void> {
    await writeModelSidecars(row.abs_path, row.kind, version, text, row.sha256, this.#sidecars());
    const words = (version.trainedWords ?? []).filter((w) => typeof w === 'string');
    this.#library.store.setCivitai(row.id, {
      civitai_status: 'found',
      civitai_model_id: version.modelId ?? row.civitai_model_id,
      civitai_version_id: version.id,
      civitai_model_name: version.model?.name ?? null,
      civitai_version_name: version.name ?? null,
      trained_words: words.length ? JSON.stringify(words) : null,
    });
    const family = familyFromCivitai(version.baseModel);
    if (family && version.baseModel) this.#library.store.setBaseModel(row.id, family, version.baseModel, 'civitai');
    await this.#library.refreshSidecars(row.id);
  }
}
