import fs from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from './secret-store.ts';

/**
 * Headless secret store: a JSON file with mode 0600 in the data dir, written atomically.
 * Environment variables (`STABLEQUEUE_SECRET_<NAME>`) take precedence and are read-only.
 */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file';
  readonly warning: string | null;
  readonly #file: string;
  readonly #env: NodeJS.ProcessEnv;
  #cache: Record<string, string> | null = null;
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string, env: NodeJS.ProcessEnv = process.env, warning: string | null = null) {
    this.#file = file;
    this.#env = env;
    this.warning = warning;
  }

  static envName(name: string): string {
    return `STABLEQUEUE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  }

  async get(name: string): Promise<string | null> {
    const fromEnv = this.#env[FileSecretStore.envName(name)];
    if (fromEnv) return fromEnv;
    const all = await this.#load();
    return all[name] ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    await this.#update((all) => { all[name] = value; });
  }

  async delete(name: string): Promise<void> {
    await this.#update((all) => { delete all[name]; });
  }

  async #load(): Promise<Record<string, string>> {
    if (this.#cache) return this.#cache;
    try {
      this.#cache = JSON.parse(await fs.readFile(this.#file, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#cache = {};
    }
    return this.#cache;
  }

  // Writes are serialised so two quick updates cannot lose one another.
  #update(change: (all: Record<string, string>) => void): Promise<void> {
    const run = async () => {
      const all = { ...(await this.#load()) };
      change(all);
      await fs.mkdir(path.dirname(this.#file), { recursive: true });
      const tmp = `${this.#file}.${process.pid}.tmp`;
      const handle = await fs.open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(all));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, this.#file);
      await fs.chmod(this.#file, 0o600);
      this.#cache = all;
    };
    this.#writing = this.#writing.then(run, run);
    return this.#writing;
  }
}
