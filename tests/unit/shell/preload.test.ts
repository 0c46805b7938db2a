import fs from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BRIDGE_GLOBAL, BRIDGE_KEYS, IPC_CHANNELS, type DesktopBootstrap } from '../../../electron/preload/desktop-bridge.ts';

const PRELOAD = path.join(import.meta.dirname, '../../../electron/preload/index.cts');
const source = fs.readFileSync(PRELOAD, 'utf8');

/** The preload as it ships: what tsc makes of the .cts file (CommonJS). */
function compiled(): string {
  return ts.transpileModule(source, {
    fileName: 'index.cts',
    compilerOptions: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
}

const BOOTSTRAP: DesktopBootstrap = {
  apiBase: 'http://127.0.0.1:51234',
  token: 'per-launch-token',
  platform: 'linux',
  version: '0.1.0',
  preferences: { startAtLogin: false, startMinimized: false },
};

/**
 * Runs the preload the way a sandboxed renderer does: wrapped in a function that gets a
 * `require` knowing only 'electron' (here: stubs of contextBridge and ipcRenderer).
 */
function loadPreload(code: string, bootstrap: DesktopBootstrap | null) {
  const exposed: Array<{ name: string; api: Record<string, unknown> }> = [];
  const invoked: Array<{ channel: string; args: unknown[] }> = [];
  const sentSync: string[] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push({ name, api }) },
    ipcRenderer: {
      sendSync: (channel: string) => { sentSync.push(channel); return bootstrap; },
      invoke: async (channel: string, ...args: unknown[]) => { invoked.push({ channel, args }); return { ok: channel }; },
    },
  };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name} (a sandboxed preload can only require electron)`);
  };
  const wrapped = vm.runInNewContext(
    `(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${code}\n})`,
    {},
    { filename: PRELOAD },
  ) as (...args: unknown[]) => void;
  const module = { exports: {} };
  wrapped(sandboxRequire, { platform: 'linux', argv: [] }, undefined, {}, undefined, undefined, module.exports, module);
  return { exposed, invoked, sentSync, required };
}

const variants = {
  'source (types stripped)': () => stripTypeScriptTypes(source, { mode: 'strip' }),
  'compiled by TypeScript (CommonJS)': compiled,
};

for (const [label, code] of Object.entries(variants)) {
  describe(`preload: ${label}`, () => {
    it(`exposes exactly window.${BRIDGE_GLOBAL} with the listed keys, and requires only electron`, () => {
      const { exposed, required, sentSync } = loadPreload(code(), BOOTSTRAP);
      expect(required).toEqual(['electron']);
      expect(sentSync).toEqual([IPC_CHANNELS.bootstrap]);
      expect(exposed).toHaveLength(1);
      expect(exposed[0]!.name).toBe(BRIDGE_GLOBAL);
      const api = exposed[0]!.api;
      expect(Object.keys(api)).toEqual([...BRIDGE_KEYS]);
      expect(Object.isFrozen(api)).toBe(true);
      // Nothing of Electron's leaks through: functions of our own and plain data.
      for (const key of BRIDGE_KEYS) {
        if (key === 'bootstrap') continue;
        expect(typeof api[key], key).toBe('function');
      }
      expect(api.bootstrap).toEqual(BOOTSTRAP);
      expect(Object.isFrozen(api.bootstrap)).toBe(true);
      expect(JSON.stringify(api)).not.toMatch(/ipcRenderer|sendSync|invoke/);
    });

    it('each action invokes its own channel with checked arguments', async () => {
      const { exposed, invoked } = loadPreload(code(), BOOTSTRAP);
      const api = exposed[0]!.api as Record<string, (...args: unknown[]) => Promise<unknown>>;
      await api.openOutputsFolder!();
      await api.setStartAtLogin!(true);
      await api.setStartMinimized!('yes');
      expect(invoked).toEqual([
        { channel: IPC_CHANNELS.openOutputsFolder, args: [] },
        { channel: IPC_CHANNELS.setStartAtLogin, args: [true] },
        // Anything but true is false: the renderer cannot smuggle objects through.
        { channel: IPC_CHANNELS.setStartMinimized, args: [false] },
      ]);
      expect(invoked.every(({ channel }) => (Object.values(IPC_CHANNELS) as string[]).includes(channel))).toBe(true);
    });

    it('exposes nothing when the main process refuses the frame', () => {
      expect(loadPreload(code(), null).exposed).toEqual([]);
    });
  });
}
