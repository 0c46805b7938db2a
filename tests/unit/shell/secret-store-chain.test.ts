import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../electron/engine/secrets/file-secret-store.ts';
import { KEYTAR_SERVICE, KeytarSecretStore, loadKeytar, type KeytarLike } from '../../../electron/main/keytar-secret-store.ts';
import {
  createDesktopSecretStore,
  PLAIN_SECRETS_FILE,
  SAFE_STORAGE_FILE,
  SafeStorageSecretStore,
  type SafeStorageLike,
} from '../../../electron/main/secret-store-chain.ts';
import type { SecretStore } from '../../../electron/engine/secrets/secret-store.ts';

/** An in-memory keychain with keytar's API. */
function fakeKeytar(options: { broken?: boolean } = {}): KeytarLike & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const key = (service: string, account: string) => `${service}/${account}`;
  const check = () => { if (options.broken) throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'); };
  return {
    entries,
    async getPassword(service, account) { check(); return entries.get(key(service, account)) ?? null; },
    async setPassword(service, account, password) { check(); entries.set(key(service, account), password); },
    async deletePassword(service, account) { check(); return entries.delete(key(service, account)); },
    async findCredentials(service) {
      check();
      return [...entries].filter(([k]) => k.startsWith(`${service}/`)).map(([k, password]) => ({ account: k.slice(service.length + 1), password }));
    },
  };
}

/** safeStorage stand-in: reversible, and visibly not plain text. */
function fakeSafeStorage(options: { available?: boolean; backend?: string; reEncrypt?: boolean } = {}): SafeStorageLike & { encrypted: number } {
  const state = {
    encrypted: 0,
    async isAsyncEncryptionAvailable() { return options.available ?? true; },
    async encryptStringAsync(plain: string) {
      state.encrypted++;
      return Buffer.concat([Buffer.from('v10'), Buffer.from(plain, 'utf8').map((b) => b ^ 0x5a)]);
    },
    async decryptStringAsync(encrypted: Buffer) {
      if (encrypted.subarray(0, 3).toString() !== 'v10') throw new Error('bad ciphertext');
      return { result: Buffer.from(encrypted.subarray(3).map((b) => b ^ 0x5a)).toString('utf8'), shouldReEncrypt: options.reEncrypt ?? false };
    },
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
  };
  return state;
}

async function roundTrip(store: SecretStore): Promise<void> {
  expect(await store.get('civitai-token')).toBeNull();
  await store.set('civitai-token', 'civ-SECRET-123');
  await store.set('server-password:gpu', 'hunter2 ünïcode');
  expect(await store.get('civitai-token')).toBe('civ-SECRET-123');
  expect(await store.get('server-password:gpu')).toBe('hunter2 ünïcode');
  await store.set('civitai-token', 'civ-SECRET-456');
  expect(await store.get('civitai-token')).toBe('civ-SECRET-456');
  await store.delete('civitai-token');
  expect(await store.get('civitai-token')).toBeNull();
  expect(await store.get('server-password:gpu')).toBe('hunter2 ünïcode');
}

describe('desktop SecretStore chain', () => {
  let dataDir: string;
  beforeEach(async () => { dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sq-secrets-')); });
  afterEach(async () => { await fs.rm(dataDir, { recursive: true, force: true }); });

  it('keytar loads and answers -> the OS keychain, under the service "StableQueue"', async () => {
    const keytar = fakeKeytar();
    const store = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage(), loadKeytar: async () => keytar, platform: 'linux' });
    expect(store).toBeInstanceOf(KeytarSecretStore);
    expect(store.kind).toBe('keychain');
    expect(store.warning ?? null).toBeNull();
    await roundTrip(store);
    expect([...keytar.entries.keys()]).toEqual([`${KEYTAR_SERVICE}/server-password:gpu`]);
    expect(await fs.readdir(dataDir)).toEqual([]);
  });

  it('keytar throws on import -> safeStorage-encrypted file', async () => {
    const safeStorage = fakeSafeStorage();
    const store = await createDesktopSecretStore({
      dataDir,
      safeStorage,
      loadKeytar: async () => { throw new Error("Cannot find module 'keytar'"); },
      platform: 'linux',
    });
    expect(store).toBeInstanceOf(SafeStorageSecretStore);
    expect(store.kind).toBe('safe-storage');
    expect(store.warning ?? null).toBeNull();
    await roundTrip(store);
    const file = path.join(dataDir, SAFE_STORAGE_FILE);
    const raw = await fs.readFile(file, 'utf8');
    expect(raw).not.toContain('hunter2');
    expect(Object.keys(JSON.parse(raw))).toEqual(['server-password:gpu']);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(safeStorage.encrypted).toBeGreaterThan(0);
  });

  it('keytar loads but the keychain does not answer (no Secret Service) -> safeStorage', async () => {
    const store = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage(), loadKeytar: async () => fakeKeytar({ broken: true }), platform: 'linux' });
    expect(store.kind).toBe('safe-storage');
  });

  it('safeStorage unavailable -> 0600 file with a visible warning', async () => {
    const store = await createDesktopSecretStore({
      dataDir,
      safeStorage: fakeSafeStorage({ available: false }),
      loadKeytar: async () => null,
      platform: 'linux',
      env: {},
    });
    expect(store).toBeInstanceOf(FileSecretStore);
    expect(store.kind).toBe('file');
    expect(store.warning).toMatch(/unencrypted/);
    expect(store.warning).toContain(path.join(dataDir, PLAIN_SECRETS_FILE));
    await roundTrip(store);
    expect((await fs.stat(path.join(dataDir, PLAIN_SECRETS_FILE))).mode & 0o777).toBe(0o600);
  });

  it("Linux safeStorage on 'basic_text' (hard-coded key) and a missing safeStorage both count as unavailable", async () => {
    const basic = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage({ backend: 'basic_text' }), loadKeytar: async () => null, platform: 'linux', env: {} });
    expect(basic.kind).toBe('file');
    const none = await createDesktopSecretStore({ dataDir, safeStorage: null, loadKeytar: async () => null, platform: 'darwin', env: {} });
    expect(none.kind).toBe('file');
    // basic_text is a Linux-only notion: elsewhere the backend name is not consulted.
    const mac = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage({ backend: 'basic_text' }), loadKeytar: async () => null, platform: 'darwin' });
    expect(mac.kind).toBe('safe-storage');
  });

  it('moves secrets left in a weaker file into the stronger store, then deletes the file', async () => {
    const plain = new FileSecretStore(path.join(dataDir, PLAIN_SECRETS_FILE), {});
    await plain.set('civitai-token', 'civ-OLD');
    const encrypted = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage(), loadKeytar: async () => null, platform: 'linux' });
    expect(await encrypted.get('civitai-token')).toBe('civ-OLD');
    await expect(fs.access(path.join(dataDir, PLAIN_SECRETS_FILE))).rejects.toThrow();

    const keytar = fakeKeytar();
    const keychain = await createDesktopSecretStore({ dataDir, safeStorage: fakeSafeStorage(), loadKeytar: async () => keytar, platform: 'linux' });
    expect(await keychain.get('civitai-token')).toBe('civ-OLD');
    await expect(fs.access(path.join(dataDir, SAFE_STORAGE_FILE))).rejects.toThrow();
  });

  it('re-encrypts a value when safeStorage asks for it', async () => {
    const safeStorage = fakeSafeStorage({ reEncrypt: true });
    const store = new SafeStorageSecretStore(path.join(dataDir, SAFE_STORAGE_FILE), safeStorage);
    await store.set('a', 'b');
    const before = safeStorage.encrypted;
    expect(await store.get('a')).toBe('b');
    expect(safeStorage.encrypted).toBe(before + 1);
  });

  it('loadKeytar answers null when the module is missing or is not keytar', async () => {
    expect(await loadKeytar('keytar-that-does-not-exist-anywhere')).toBeNull();
    expect(await loadKeytar('node:path')).toBeNull();
  });
});
