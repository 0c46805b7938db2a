import type { SecretStore } from '../engine/secrets/secret-store.ts';

/** The part of the keytar module (OS keychain: macOS Keychain, Windows Credential Vault, libsecret) used here. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export const KEYTAR_SERVICE = 'StableQueue';

/** Secrets in the OS keychain, one entry per secret name under the service "StableQueue". */
export class KeytarSecretStore implements SecretStore {
  readonly kind = 'keychain';
  readonly warning = null;
  readonly #keytar: KeytarLike;
  readonly #service: string;

  constructor(keytar: KeytarLike, service: string = KEYTAR_SERVICE) {
    this.#keytar = keytar;
    this.#service = service;
  }

  async get(name: string): Promise<string | null> {
    return (await this.#keytar.getPassword(this.#service, name)) ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    await this.#keytar.setPassword(this.#service, name, value);
  }

  async delete(name: string): Promise<void> {
    await this.#keytar.deletePassword(this.#service, name);
  }

  /** True when the keychain answers (on Linux keytar loads but fails without a Secret Service). */
  async probe(): Promise<boolean> {
    try {
      await this.#keytar.findCredentials(this.#service);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Loads keytar, an optional native dependency: null when it is not installed or its
 * binary does not load (no libsecret, wrong ABI). The specifier is a variable so that
 * type-checking and bundling do not require the package to be present.
 */
export async function loadKeytar(specifier = 'keytar'): Promise<KeytarLike | null> {
  try {
    const mod = (await import(specifier)) as { default?: KeytarLike } & Partial<KeytarLike>;
    const keytar = (mod.default ?? mod) as Partial<KeytarLike>;
    if (typeof keytar.getPassword !== 'function' || typeof keytar.setPassword !== 'function') return null;
    return keytar as KeytarLike;
  } catch {
    return null;
  }
}
