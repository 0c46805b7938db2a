import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The engine runs headless (Docker, `npm run serve`) where there is no Electron: nothing
 * under electron/engine may import it, in any form. The shell hands Electron things in
 * (safeStorage to the secret store chain) instead.
 */
const ENGINE_DIR = path.join(import.meta.dirname, '../../../electron/engine');
const SOURCE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

// `... from 'electron'`, `import 'electron'`, `import('electron')`, `require('electron')`,
// `import x = require('electron')`, also 'electron/main' and friends. Comments included on
// purpose: stricter is fine here.
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'`])electron(?:\/[^"'`]*)?\1/;

function electronImports(code: string): string[] {
  const hits: string[] = [];
  code.split('\n').forEach((line, index) => {
    if (ELECTRON_IMPORT.test(line)) hits.push(`${index + 1}: ${line.trim()}`);
  });
  // Statements split over lines: `import {\n app\n} from\n 'electron'`.
  const flat = code.replace(/\s+/g, ' ');
  if (hits.length === 0 && ELECTRON_IMPORT.test(flat)) hits.push('(multi-line statement)');
  return hits;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full);
    return SOURCE.test(entry.name) ? [full] : [];
  });
}

describe('electron/engine never imports electron', () => {
  it('the detector catches every form (so the check below can fail)', () => {
    const positives = [
      "import { app } from 'electron';",
      'import electron from "electron";',
      "import type { SafeStorage } from 'electron';",
      "import 'electron';",
      "export * from 'electron';",
      "const { safeStorage } = await import('electron');",
      "const e = await import ( 'electron' )",
      "const e = require('electron');",
      'const e = require(`electron`);',
      "import { ipcMain } from 'electron/main';",
      "import electron = require('electron');",
      "import {\n  app,\n  safeStorage,\n} from\n  'electron';",
    ];
    for (const code of positives) expect(electronImports(code), code).not.toEqual([]);
    const negatives = [
      "import Store from 'electron-store';",
      "import { x } from './electron.ts';",
      "import builder from 'electron-builder';",
      "const safeStorage = options.safeStorage; // injected by the shell",
      "const name = 'electron-nightly-is-not-used';",
    ];
    for (const code of negatives) expect(electronImports(code), code).toEqual([]);
  });

  it('no file under electron/engine imports it', () => {
    const files = walk(ENGINE_DIR);
    expect(files.length).toBeGreaterThan(5);
    // The secret stores the engine keeps (the desktop's keytar/safeStorage chain lives in
    // electron/main) and the guarded network helpers are walked and must pass too.
    expect(files.map((f) => path.relative(ENGINE_DIR, f))).toEqual(
      expect.arrayContaining([path.join('secrets', 'file-secret-store.ts'), path.join('net', 'guarded-lookup.ts')]),
    );
    const offenders = files.flatMap((file) =>
      electronImports(fs.readFileSync(file, 'utf8')).map((hit) => `${path.relative(ENGINE_DIR, file)}:${hit}`));
    expect(offenders).toEqual([]);
  });
});
