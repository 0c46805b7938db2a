import type { ServerHealth, ServerView } from '../../../shared/servers.ts';
import type { Backend, HealthReport } from '../backends/types.ts';
import { resolveCheckpoint, type CheckpointEntry } from '../backends/checkpoint-resolver.ts';
import { backoffDelayMs } from '../backoff.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import type { Logger } from 'pino';
import { SECRET_NAMES, type SecretStore } from '../secrets/secret-store.ts';
import type { BackendFactory } from './backend-factory.ts';
import { timeBarrier } from './server-eligibility.ts';
import { serverRules, type ServerRow, type ServerStore } from './server-store.ts';

const ONLINE_RECHECK_MS = 30_000;
const OFFLINE_BACKOFF_MIN_MS = 1_000;
const OFFLINE_BACKOFF_MAX_MS = 60_000;
const MODEL_LIST_REFRESH_MS = 5 * 60_000;

/** The live state of one registered server. */
export interface RuntimeServer {
  row: ServerRow;
  backend: Backend;
  health: Exclude<ServerHealth, 'busy' | 'disabled'>;
  externallyBusy: boolean;
  message: string | null;
  loadedCheckpoint: string | null;
  /** GPU memory from the last health check; null when the server does not say. */
  vram: { free: number; total: number } | null;
  checkpoints: CheckpointEntry[] | null;
  checkpointsAt: number;
  running: number;
  /** Read with the password when the server is (re)loaded, so status events need no keychain call. */
  hasPassword: boolean;
  lastAssignedAt: number;
  lastChecked: number | null;
  offlineBackoffMs: number;
  timer: NodeJS.Timeout | null;
  /** Free the GPU as soon as the jobs running there end (asked by a pause or the drain action). */
  unloadWhenIdle: boolean;
}

/** How long freeing a server's GPU may take. */
const UNLOAD_TIMEOUT_MS = 30_000;

/**
 * Owns a Backend per enabled server and its health: online servers are re-checked every
 * 30 s, offline ones with exponential backoff (1 s … 60 s). Coming back online calls
 * `onOnline` so the dispatcher runs at once instead of polling.
 */
export class ServerRegistry {
  readonly #servers = new Map<string, RuntimeServer>();
  readonly #store: ServerStore;
  readonly #backends: BackendFactory;
  readonly #secrets: SecretStore;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #onOnline: () => void = () => {};
  #stopped = false;

  constructor(deps: { store: ServerStore; backends: BackendFactory; secrets: SecretStore; bus: EventBus; clock: Clock; logger: Logger }) {
    this.#store = deps.store;
    this.#backends = deps.backends;
    this.#secrets = deps.secrets;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  setOnOnline(callback: () => void): void {
    this.#onOnline = callback;
  }

  async loadAll(): Promise<void> {
    for (const row of this.#store.list()) await this.reload(row.alias);
  }

  get(alias: string): RuntimeServer | undefined {
    return this.#servers.get(alias);
  }

  all(): RuntimeServer[] {
    return [...this.#servers.values()];
  }

  /** (Re)creates the runtime state after a server was added or edited. */
  async reload(alias: string, previousAlias?: string): Promise<void> {
    for (const name of new Set([alias, previousAlias].filter(Boolean) as string[])) this.#dispose(name);
    const row = this.#store.get(alias);
    if (!row) return;
    const password = await this.#secrets.get(SECRET_NAMES.serverPassword(alias));
    const backend = this.#backends.create({ alias: row.alias, appType: row.app_type, apiUrl: row.api_url, username: row.username, password });
    const server: RuntimeServer = {
      row, backend, health: 'unknown', externallyBusy: false, message: null, loadedCheckpoint: null, vram: null,
      checkpoints: null, checkpointsAt: 0, running: 0, hasPassword: password !== null, lastAssignedAt: 0, lastChecked: null,
      offlineBackoffMs: OFFLINE_BACKOFF_MIN_MS, timer: null, unloadWhenIdle: false,
    };
    this.#servers.set(alias, server);
    if (row.enabled) void this.check(alias);
    else this.#emit(server);
  }

  remove(alias: string): void {
    this.#dispose(alias);
    this.#bus.emit({ type: 'server.deleted', alias });
  }

  #dispose(alias: string): void {
    const server = this.#servers.get(alias);
    if (!server) return;
    if (server.timer) clearTimeout(server.timer);
    server.backend.close?.();
    this.#servers.delete(alias);
  }

  /** Runs one health check now and schedules the next one. */
  async check(alias: string): Promise<HealthReport | null> {
    const server = this.#servers.get(alias);
    if (!server || !server.row.enabled) return null;
    if (server.timer) { clearTimeout(server.timer); server.timer = null; }
    const report = await server.backend.checkHealth();
    if (this.#servers.get(alias) !== server || this.#stopped) return report;
    this.#apply(server, report);
    if (report.online && this.#clock.now() - server.checkpointsAt > MODEL_LIST_REFRESH_MS) {
      await this.refreshCheckpoints(server);
    }
    this.#schedule(server);
    return report;
  }

  async refreshCheckpoints(server: RuntimeServer): Promise<void> {
    try {
      const list = await server.backend.listResources('checkpoints');
      server.checkpoints = list.map((r) => ({ title: r.title, hash: r.hash ?? null }));
      server.checkpointsAt = this.#clock.now();
    } catch (error) {
      this.#logger.debug({ dir: `${server.row.app_type}→engine`, alias: server.row.alias, err: (error as Error).message }, 'checkpoint list failed');
    }
  }

  #apply(server: RuntimeServer, report: HealthReport): void {
    const wasOnline = server.health === 'online';
    server.health = report.online ? 'online' : 'offline';
    server.externallyBusy = report.busy && server.running === 0;
    server.message = report.message;
    server.loadedCheckpoint = report.loadedCheckpoint ?? server.loadedCheckpoint;
    server.vram = report.vram ?? null;
    server.lastChecked = this.#clock.now();
    // Each failed check waits one backoff step longer than the last (1 s, 2 s … 60 s).
    server.offlineBackoffMs = report.online ? OFFLINE_BACKOFF_MIN_MS : backoffDelayMs(1, { baseMs: server.offlineBackoffMs, maxMs: OFFLINE_BACKOFF_MAX_MS });
    if (wasOnline !== report.online) {
      this.#logger.info({ dir: `${server.row.app_type}→engine`, alias: server.row.alias, online: report.online, message: report.message }, 'server status changed');
    }
    this.#emit(server);
    if (!wasOnline && report.online) this.#onOnline();
  }

  #schedule(server: RuntimeServer): void {
    if (this.#stopped) return;
    const delay = server.health === 'online' ? ONLINE_RECHECK_MS : server.offlineBackoffMs;
    server.timer = setTimeout(() => void this.check(server.row.alias), delay);
    server.timer.unref();
  }

  /** A job found the server unreachable: mark it offline now and start the backoff checks. */
  markOffline(alias: string, message: string): void {
    const server = this.#servers.get(alias);
    if (!server || server.health === 'offline') return;
    this.#apply(server, { online: false, busy: false, loadedCheckpoint: null, version: null, message });
    if (server.timer) clearTimeout(server.timer);
    this.#schedule(server);
  }

  /** Re-reads a server's row after a change that needs no new connection (pause, resume). */
  refreshRow(alias: string): void {
    const server = this.#servers.get(alias);
    const row = this.#store.get(alias);
    if (!server || !row) return;
    server.row = row;
    this.#emit(server);
  }

  /** Frees the server's GPU (unloads its model) now, or once the jobs running there end. */
  requestUnload(alias: string, why: string): void {
    const server = this.#servers.get(alias);
    if (!server?.backend.unload) return;
    server.unloadWhenIdle = true;
    this.#logger.info({ alias, why }, 'GPU unload requested');
    this.noteIdle(server);
  }

  /** A job ended on the server: if it is idle now and an unload waits, send it. */
  noteIdle(server: RuntimeServer): void {
    if (server.running > 0 || !server.unloadWhenIdle || !server.backend.unload) return;
    server.unloadWhenIdle = false;
    server.backend.unload(AbortSignal.timeout(UNLOAD_TIMEOUT_MS)).then(() => {
      server.loadedCheckpoint = null;
      this.#logger.info({ dir: `engine→${server.row.app_type}`, alias: server.row.alias }, 'model unloaded, GPU freed');
      this.#emit(server);
    }, (error: unknown) => {
      this.#logger.warn({ dir: `engine→${server.row.app_type}`, alias: server.row.alias, err: (error as Error).message }, 'unload failed');
    });
  }

  noteLoadedCheckpoint(alias: string, title: string | null): void {
    const server = this.#servers.get(alias);
    if (server && title) server.loadedCheckpoint = title;
  }

  /** true/false when the server's checkpoint list is known, null when it is not. */
  hasCheckpoint(server: RuntimeServer, name: string): boolean | null {
    if (!server.checkpoints) return null;
    return resolveCheckpoint(name, server.checkpoints) !== null;
  }

  loadedMatches(server: RuntimeServer, name: string): boolean {
    if (!server.loadedCheckpoint) return false;
    const match = resolveCheckpoint(name, [{ title: server.loadedCheckpoint }]);
    return match !== null && match.match !== 'fuzzy';
  }

  statusOf(server: RuntimeServer): ServerHealth {
    if (!server.row.enabled) return 'disabled';
    if (server.health === 'online' && (server.running >= server.row.max_concurrency || server.externallyBusy)) return 'busy';
    return server.health;
  }

  view(server: RuntimeServer): ServerView {
    return {
      alias: server.row.alias,
      app_type: server.row.app_type,
      api_url: server.row.api_url,
      username: server.row.username,
      has_password: server.hasPassword,
      max_concurrency: server.row.max_concurrency,
      enabled: server.row.enabled === 1,
      status: this.statusOf(server),
      status_message: server.message,
      loaded_checkpoint: server.loadedCheckpoint,
      running_jobs: server.running,
      last_checked: server.lastChecked ? new Date(server.lastChecked).toISOString() : null,
      ...serverRules(server.row),
      paused: server.row.paused === 1,
      vram: server.vram,
      idle_reason: timeBarrier(server, this.#clock.now())?.reason ?? null,
    };
  }

  emitStatus(server: RuntimeServer): void {
    this.#emit(server);
  }

  #emit(server: RuntimeServer): void {
    this.#bus.emit({ type: 'server.status', server: this.view(server) });
  }

  stop(): void {
    this.#stopped = true;
    for (const alias of [...this.#servers.keys()]) this.#dispose(alias);
  }
}
