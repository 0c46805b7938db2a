/**
 * Where secrets live (backend passwords, the Civitai token): the OS keychain on the
 * desktop, env + a 0600 file in headless mode. Never SQLite, never logs.
 */
export interface SecretStore {
  readonly kind: string;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** A warning to show in Settings when the store is weaker than the OS keychain. */
  readonly warning?: string | null;
}

/** Names used for secrets, so every side agrees. */
export const SECRET_NAMES = {
  serverPassword: (alias: string) => `server-password:${alias}`,
  civitaiToken: 'civitai-token',
  webhookSecret: (id: string) => `webhook-secret:${id}`,
  pushUrl: (id: string) => `push-url:${id}`,
} as const;

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory';
  readonly #values = new Map<string, string>();
  async get(name: string) { return this.#values.get(name) ?? null; }
  async set(name: string, value: string) { this.#values.set(name, value); }
  async delete(name: string) { this.#values.delete(name); }
}
