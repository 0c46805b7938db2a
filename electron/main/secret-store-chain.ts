import fs from 'node:fs/promises';
import path from 'node:path';
import { FileSecretStore } from '../engine/secrets/file-secret-store.ts';
import { KeytarSecretStore, loadKeytar as loadKeytarModule, type KeytarLike } from './keytar-secret-store.ts';
import { PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE } from '../engine/secrets/secret-files.ts';
import type { SecretStore } from '../engine/secrets/secret-store.ts';

/**
 * The desktop's SecretStore, strongest first:
 *   1. the OS keychain through keytar (an optional native module),
 *   2. a file of values encrypted with Electron's safeStorage,
 *   3. a 0600 JSON file, with a `warning` shown in Settings.
 * Desktop only (keytar and safeStorage exist only there), so it lives with the shell; the
 * engine receives the finished store through its config.
 */

/**
 * The part of Electron's safeStorage used here: its async API (the sync methods are
 * deprecated in Electron 45 and gone in 46; data written by either decrypts with this).
 */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only: 'basic_text' means no keyring, the key is a hard-coded one. */
  getSelectedStorageBackend?(): string;
}

export { PLAIN_SECRETS_FILE, SAFE_STORAGE_FILE };

export function plainFileWarning(file: string): string {
  return (
    'Secrets (server passwords, the Civitai token) are stored unencrypted in a file only your user account can read ' +
    `(${file}): no OS keychain or encryption service was available. Install a keyring (e.g. GNOME Keyring or KWallet) ` +
    'and restart StableQueue to move them there.'
  );
}

/** Values encrypted by safeStorage, base64 in a 0600 JSON file (written atomically by FileSecretStore). */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'safe-storage';
  readonly warning = null;
  readonly #file: FileSecretStore;
  readonly #safeStorage: SafeStorageLike;

  constructor(file: string, safeStorage: SafeStorageLike) {
    // No environment overrides here: those are plain text and belong to the file store.
    this.#file = new FileSecretStore(file, {});
    this.#safeStorage = safeStorage;
  }

  async get(name: string): Promise<string | null> {
    const stored = await this.#file.get(name);
    if (stored === null) return null;
    const { result, shouldReEncrypt } = await this.#safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
    if (shouldReEncrypt) await this.set(name, result);
    return result;
  }

  async set(name: string, value: string): Promise<void> {
    const encrypted = await this.#safeStorage.encryptStringAsync(value);
    await this.#file.set(name, encrypted.toString('base64'));
  }

  async delete(name: string): Promise<void> {
    await this.#file.delete(name);
  }
}

/** safeStorage counts only with a real key: available, and on Linux not the hard-coded 'basic_text' one. */
export async function isSafeStorageUsable(safeStorage: SafeStorageLike | null, platform: NodeJS.Platform): Promise<boolean> {
  if (!safeStorage) return false;
  try {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return false;
    return true;
  } catch {
    return false;
  }
}

export interface ChainLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DesktopSecretStoreOptions {
  /** The engine's data dir; the file stores live here. */
  dataDir: string;
  /** Electron's safeStorage (after app ready), or null. */
  safeStorage: SafeStorageLike | null;
  /** Loads keytar, or resolves null / throws when it cannot; defaults to importing 'keytar'. */
  loadKeytar?: () => Promise<KeytarLike | null>;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  logger?: ChainLogger;
}

/** Picks the strongest store that works here, and moves secrets left in weaker files into it. */
export async function createDesktopSecretStore(options: DesktopSecretStoreOptions): Promise<SecretStore> {
  const platform = options.platform ?? process.platform;
  const safeFile = path.join(options.dataDir, SAFE_STORAGE_FILE);
  const plainFile = path.join(options.dataDir, PLAIN_SECRETS_FILE);
  const safeUsable = await isSafeStorageUsable(options.safeStorage, platform);

  let keytar: KeytarLike | null = null;
  try {
    keytar = await (options.loadKeytar ?? (() => loadKeytarModule()))();
  } catch (error) {
    options.logger?.info({ err: (error as Error).message }, 'keytar could not be loaded');
  }
  if (keytar) {
    const store = new KeytarSecretStore(keytar);
    if (await store.probe()) {
      if (safeUsable && options.safeStorage) {
        await migrateFile(safeFile, new SafeStorageSecretStore(safeFile, options.safeStorage), store, options.logger);
      }
      await migrateFile(plainFile, new FileSecretStore(plainFile, {}), store, options.logger);
      options.logger?.info({ store: store.kind }, 'secrets are kept in the OS keychain');
      return store;
    }
    options.logger?.warn({}, 'keytar loaded but the OS keychain did not answer');
  }

  if (safeUsable && options.safeStorage) {
    const store = new SafeStorageSecretStore(safeFile, options.safeStorage);
    await migrateFile(plainFile, new FileSecretStore(plainFile, {}), store, options.logger);
    options.logger?.info({ store: store.kind }, 'secrets are kept encrypted with safeStorage');
    return store;
  }

  const store = new FileSecretStore(plainFile, options.env ?? process.env, plainFileWarning(plainFile));
  options.logger?.warn({ store: store.kind }, 'secrets are kept in a plain 0600 file');
  return store;
}

/**
 * Copies every secret of a weaker file store into the chosen store, then deletes the file.
 * On any failure the file stays as it is, to be tried again at the next start.
 */
async function migrateFile(file: string, from: SecretStore, to: SecretStore, logger?: ChainLogger): Promise<void> {
  let names: string[];
  try {
    names = Object.keys(JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn({ file, err: (error as Error).message }, 'could not read an old secrets file');
    return;
  }
  try {
    for (const name of names) {
      const value = await from.get(name);
      if (value !== null) await to.set(name, value);
    }
    await fs.rm(file, { force: true });
    logger?.info({ file, count: names.length, to: to.kind }, 'moved secrets to a stronger store');
  } catch (error) {
    logger?.warn({ file, err: (error as Error).message }, 'could not move secrets to a stronger store');
  }
}
