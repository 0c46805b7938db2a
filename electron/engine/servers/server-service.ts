import {
  AUTO_SERVER, type ServerCreate, type ServerPauseRequest, type ServerProbe, type ServerResource, type ServerResourceKind, type ServerTestResult, type ServerUpdate,
  type ServerView,
} from '../../../shared/servers.ts';
import { BackendError, type Backend } from '../backends/types.ts';
import { DomainError } from '../domain-error.ts';
import { SECRET_NAMES, type SecretStore } from '../secrets/secret-store.ts';
import { validateServerUrl } from '../net/server-url.ts';
import type { BackendFactory } from './backend-factory.ts';
import type { RuntimeServer, ServerRegistry } from './server-registry.ts';
import { isKnownTimeZone } from './allowed-hours.ts';
import { NO_RULES, serverRules, type ServerFields, type ServerRules, type ServerStore } from './server-store.ts';

/** The rules as sent, over the current ones (a field left out keeps its value); a time zone Intl does not know is a 400. */
function mergedRules(current: ServerRules, body: ServerCreate | ServerUpdate): ServerRules {
  if (body.time_zone && !isKnownTimeZone(body.time_zone)) {
    throw new DomainError(400, 'validation_error', `Unknown time zone "${body.time_zone}"; use an IANA name such as Europe/Berlin or America/New_York.`);
  }
  const patterns = (list: string[] | undefined, fallback: string[]) => (list ? [...new Set(list.map((p) => p.trim()).filter(Boolean))] : fallback);
  return {
    tags: body.tags ?? current.tags,
    allowed_checkpoints: patterns(body.allowed_checkpoints, current.allowed_checkpoints),
    blocked_checkpoints: patterns(body.blocked_checkpoints, current.blocked_checkpoints),
    max_pixels: body.max_pixels !== undefined ? body.max_pixels : current.max_pixels,
    max_batch: body.max_batch !== undefined ? body.max_batch : current.max_batch,
    allowed_hours: body.allowed_hours !== undefined ? body.allowed_hours : current.allowed_hours,
    time_zone: body.time_zone !== undefined ? body.time_zone : current.time_zone,
    drain_action: body.drain_action ?? current.drain_action,
  };
}

/** How long a connection test may take before the server counts as unreachable. */
export const SERVER_TEST_TIMEOUT_MS = 10_000;
/** How long reading a server's model or sampler list may take. */
export const RESOURCE_LIST_TIMEOUT_MS = 15_000;
/** At most this many resources are returned from one list (a huge LoRA folder stays usable). */
export const RESOURCE_LIST_MAX_ITEMS = 20_000;

/**
 * Registered servers as the API changes them: the reserved `auto` alias, a password that
 * moves with a rename, the stored row and the live registry kept in step, and the
 * dispatcher woken when a server may now take jobs.
 */
export class ServerService {
  readonly #store: ServerStore;
  readonly #registry: ServerRegistry;
  readonly #secrets: SecretStore;
  readonly #wake: () => void;
  readonly #backends: BackendFactory;

  constructor(deps: { store: ServerStore; registry: ServerRegistry; secrets: SecretStore; backends: BackendFactory; wake: () => void }) {
    this.#backends = deps.backends;
    this.#store = deps.store;
    this.#registry = deps.registry;
    this.#secrets = deps.secrets;
    this.#wake = deps.wake;
  }

  find(alias: string): RuntimeServer {
    const server = this.#registry.get(alias);
    if (!server) throw new DomainError(404, 'server_not_found', `No server named "${alias}".`);
    return server;
  }

  list(): ServerView[] {
    return this.#registry.all().map((s) => this.#registry.view(s));
  }

  view(alias: string): ServerView {
    return this.#registry.view(this.find(alias));
  }

  async create(body: ServerCreate): Promise<ServerView> {
    const alias = body.alias.trim();
    this.#checkNewAlias(alias, '"auto" is reserved for automatic routing; pick another alias.');
    const fields: ServerFields = {
      alias, app_type: body.app_type, api_url: await validateServerUrl(body.api_url), username: body.username || null,
      max_concurrency: body.max_concurrency ?? 1, enabled: body.enabled ?? true, rules: mergedRules(NO_RULES, body),
    };
    await this.#savePassword(alias, body.password);
    this.#store.insert(fields);
    await this.#registry.reload(alias);
    return this.view(alias);
  }

  async update(currentAlias: string, body: ServerUpdate): Promise<ServerView> {
    const current = this.find(currentAlias).row;
    const alias = body.alias?.trim() ?? current.alias;
    if (alias !== current.alias) this.#checkNewAlias(alias, '"auto" is reserved for automatic routing.');
    const fields: ServerFields = {
      alias,
      app_type: body.app_type ?? current.app_type,
      api_url: body.api_url !== undefined ? await validateServerUrl(body.api_url) : current.api_url,
      username: body.username !== undefined ? body.username || null : current.username,
      max_concurrency: body.max_concurrency ?? current.max_concurrency,
      enabled: body.enabled ?? current.enabled === 1,
      rules: mergedRules(serverRules(current), body),
    };
    if (alias !== current.alias) await this.#movePassword(current.alias, alias, body.password === undefined);
    await this.#savePassword(alias, body.password);
    this.#store.update(current.alias, fields);
    await this.#registry.reload(alias, current.alias);
    this.#wake();
    return this.view(alias);
  }

  /**
   * Pauses one server: the job it runs finishes, it takes no new one; the others go on.
   * `unload` frees its GPU once that job has ended. Kept across restarts until resumed.
   */
  pause(alias: string, options: ServerPauseRequest = {}): ServerView {
    const server = this.find(alias);
    this.#store.setPaused(server.row.alias, true);
    this.#registry.refreshRow(server.row.alias);
    if (options.unload) this.#registry.requestUnload(server.row.alias, 'paused with unload');
    return this.view(server.row.alias);
  }

  resume(alias: string): ServerView {
    const server = this.find(alias);
    this.#store.setPaused(server.row.alias, false);
    this.#registry.refreshRow(server.row.alias);
    this.#wake();
    return this.view(server.row.alias);
  }

  async remove(alias: string): Promise<void> {
    const server = this.find(alias);
    if (server.running > 0) {
      throw new DomainError(409, 'server_busy', `Server "${server.row.alias}" is running ${server.running} job(s); cancel them or wait before deleting it.`);
    }
    this.#store.delete(server.row.alias);
    await this.#secrets.delete(SECRET_NAMES.serverPassword(server.row.alias));
    this.#registry.remove(server.row.alias);
  }

  /** Checks the connection now (and refreshes the server's health when it is enabled). */
  async test(alias: string): Promise<ServerTestResult> {
    const server = this.find(alias);
    const result = await this.#checkOnce(server.backend);
    if (server.row.enabled) await this.#registry.check(server.row.alias);
    return result;
  }

  /** Tries a connection that is not saved yet; the URL passes the same guard as a saved one. */
  async probe(body: ServerProbe): Promise<ServerTestResult> {
    const apiUrl = await validateServerUrl(body.api_url);
    const backend = this.#backends.create({ alias: '(unsaved)', appType: body.app_type, apiUrl, username: body.username || null, password: body.password || null });
    return this.#checkOnce(backend);
  }

  async #checkOnce(backend: Backend): Promise<ServerTestResult> {
    const started = performance.now();
    const report = await backend.checkHealth(AbortSignal.timeout(SERVER_TEST_TIMEOUT_MS));
    const latency = Math.round(performance.now() - started);
    return {
      ok: report.online,
      status: report.online ? (report.busy ? 'busy' : 'online') : 'offline',
      message: report.online ? `Connected in ${latency} ms${report.loadedCheckpoint ? `; loaded: ${report.loadedCheckpoint}` : ''}` : report.message,
      latency_ms: report.online ? latency : null,
      loaded_checkpoint: report.loadedCheckpoint,
      version: report.version,
    };
  }

  async resources(alias: string, kind: ServerResourceKind): Promise<ServerResource[]> {
    const server = this.find(alias);
    try {
      const items = await server.backend.listResources(kind, AbortSignal.timeout(RESOURCE_LIST_TIMEOUT_MS));
      return items.slice(0, RESOURCE_LIST_MAX_ITEMS);
    } catch (error) {
      const message = error instanceof BackendError ? error.message : (error as Error).message;
      throw new DomainError(502, 'server_unavailable', `Could not read ${kind} from "${server.row.alias}": ${message}`);
    }
  }

  #checkNewAlias(alias: string, reservedMessage: string): void {
    if (alias.toLowerCase() === AUTO_SERVER) throw new DomainError(400, 'reserved_alias', reservedMessage);
    if (this.#store.get(alias)) throw new DomainError(409, 'server_exists', `A server named "${alias}" already exists.`);
  }

  /** A renamed server keeps its password unless the same request sets a new one. */
  async #movePassword(from: string, to: string, keep: boolean): Promise<void> {
    const old = await this.#secrets.get(SECRET_NAMES.serverPassword(from));
    if (old !== null && keep) await this.#secrets.set(SECRET_NAMES.serverPassword(to), old);
    await this.#secrets.delete(SECRET_NAMES.serverPassword(from));
  }

  /** undefined: unchanged; null or empty: removed; else stored in the secret store. */
  async #savePassword(alias: string, password: string | null | undefined): Promise<void> {
    if (password === undefined) return;
    if (password === null || password === '') await this.#secrets.delete(SECRET_NAMES.serverPassword(alias));
    else await this.#secrets.set(SECRET_NAMES.serverPassword(alias), password);
  }
}
