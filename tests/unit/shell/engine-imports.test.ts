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

/**
 * Dependencies point one way. Each rule names the files it governs and what they may not
 * reach; each first proves on a made-up file that it can fail, then checks the tree.
 */
const REPO = path.join(import.meta.dirname, '../../..');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'`])([^"'`]+)\1/g;

interface SourceFile { file: string; code: string }

/** The repository-relative targets of a file's relative imports, and its bare package imports. */
function importsOf({ file, code }: SourceFile): string[] {
  const flat = code.replace(/\s+/g, ' ');
  return [...flat.matchAll(SPECIFIER)].map((m) => {
    const spec = m[2];
    return spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : spec;
  });
}

interface LayerRule {
  name: string;
  /** Which files the rule governs (repository-relative, forward slashes). */
  governs: (file: string) => boolean;
  /** An offence in one file, or null. */
  offence: (source: SourceFile) => string | null;
  /** A made-up file that breaks the rule. */
  counterexample: SourceFile;
}

const under = (...folders: string[]) => (file: string) => folders.some((folder) => file.startsWith(`${folder}/`));
const importsInto = (...folders: string[]) => (source: SourceFile) =>
  importsOf(source).find((target) => folders.some((folder) => target === folder || target.startsWith(`${folder}/`))) ?? null;
const engine = (name: string) => `electron/engine/${name}`;

const RULES: LayerRule[] = [
  {
    name: 'the engine never imports the shell, the preload or the renderer',
    governs: under('electron/engine'),
    offence: importsInto('electron/main', 'electron/preload', 'renderer'),
    counterexample: { file: 'electron/engine/queue/x.ts', code: "import { notify } from '../../main/job-notifications.ts';" },
  },
  {
    name: 'shared/ (the API contract) imports only itself and typebox',
    governs: under('shared'),
    offence: (source) => importsOf(source).find((t) => !t.startsWith('shared/') && t !== 'typebox') ?? null,
    counterexample: { file: 'shared/jobs.ts', code: "import type { JobRow } from '../electron/engine/queue/job-row.ts';" },
  },
  {
    name: 'the renderer reaches the engine only over HTTP (types from the preload bridge are fine)',
    governs: under('renderer/src'),
    offence: importsInto('electron/engine', 'electron/main'),
    counterexample: { file: 'renderer/src/stores/jobs.ts', code: "import { JobStore } from '../../../electron/engine/queue/job-store.ts';" },
  },
  {
    name: 'the renderer calls fetch only inside renderer/src/api/',
    governs: (file) => file.startsWith('renderer/src/') && !file.startsWith('renderer/src/api/'),
    offence: ({ code }) => /(?<![\w.$])fetch\s*\(/.exec(code.replace(/\/\/.*$/gm, ''))?.[0] ?? null,
    counterexample: { file: 'renderer/src/views/QueueView.vue', code: "const res = await fetch('/api/v1/queue/jobs');" },
  },
  {
    name: 'services never import the HTTP layer',
    governs: under(...['queue', 'servers', 'gallery', 'results', 'backends', 'net', 'secrets', 'db', 'civitai'].map(engine)),
    offence: importsInto(engine('api')),
    counterexample: { file: engine('queue/job-service.ts'), code: "import { ApiError } from '../api/errors.ts';" },
  },
  {
    name: 'backends know only the server they talk to, not the queue or the app around them',
    governs: under(engine('backends')),
    offence: importsInto(...['queue', 'servers', 'gallery', 'results', 'models', 'ops', 'compat', 'security'].map(engine)),
    counterexample: { file: engine('backends/forge/forge-backend.ts'), code: "import type { JobRow } from '../../queue/job-row.ts';" },
  },
  {
    name: 'image files (results/) and image rows (gallery/) never import the queue or the servers',
    governs: under(engine('results'), engine('gallery')),
    offence: importsInto(engine('queue'), engine('servers')),
    counterexample: { file: engine('results/image-store.ts'), code: "import type { ImageRecord } from '../queue/job-store.ts';" },
  },
  {
    name: 'image files (results/) never import image rows (gallery/)',
    governs: under(engine('results')),
    offence: importsInto(engine('gallery')),
    counterexample: { file: engine('results/image-store.ts'), code: "import type { ImageRow } from '../gallery/gallery-store.ts';" },
  },
  {
    name: 'servers never import the queue',
    governs: under(engine('servers')),
    offence: importsInto(engine('queue')),
    counterexample: { file: engine('servers/server-service.ts'), code: "import { AUTO_SERVER } from '../queue/job-row.ts';" },
  },
  {
    name: 'secret stores and the guarded network helpers stand alone',
    governs: under(engine('secrets'), engine('net')),
    offence: (source) => {
      const own = source.file.split('/').slice(0, 3).join('/');
      // Leaf modules of the engine root (an error type, the clock) are fine: they import nothing.
      const leaves = new Set([engine('domain-error.ts'), engine('clock.ts')]);
      return importsOf(source).find((t) => t.startsWith('electron/') && !t.startsWith(`${own}/`) && !leaves.has(t)) ?? null;
    },
    counterexample: { file: engine('net/guarded-lookup.ts'), code: "import { isUnder } from '../security/request-paths.ts';" },
  },
];

function sourcesUnder(folder: string): SourceFile[] {
  const dir = path.join(REPO, folder);
  if (!fs.existsSync(dir)) return [];
  const walkAll = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(d, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walkAll(full);
    return SOURCE.test(entry.name) || entry.name.endsWith('.vue') ? [full] : [];
  });
  return walkAll(dir).map((full) => ({ file: path.relative(REPO, full).split(path.sep).join('/'), code: fs.readFileSync(full, 'utf8') }));
}

describe('dependencies point one way', () => {
  const tree = ['electron', 'shared', 'renderer/src'].flatMap(sourcesUnder);

  it('reads the whole tree', () => {
    for (const folder of ['electron/engine/', 'electron/main/', 'shared/', 'renderer/src/api/']) {
      expect(tree.some((s) => s.file.startsWith(folder)), folder).toBe(true);
    }
  });

  describe.each(RULES)('$name', (rule) => {
    it('catches its counterexample (so the check below can fail)', () => {
      expect(rule.governs(rule.counterexample.file)).toBe(true);
      expect(rule.offence(rule.counterexample)).not.toBeNull();
    });

    it('holds for every governed file', () => {
      const governed = tree.filter((s) => rule.governs(s.file));
      expect(governed.length).toBeGreaterThan(0);
      const offenders = governed.flatMap((s) => {
        const hit = rule.offence(s);
        return hit === null ? [] : [`${s.file} -> ${hit}`];
      });
      expect(offenders).toEqual([]);
    });
  });
});
