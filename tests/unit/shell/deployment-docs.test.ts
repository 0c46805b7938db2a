/**
 * The deployment documents cannot drift from the code: every variable the headless entry
 * reads is in the README's configuration table; every variable the Docker image sets and
 * the Unraid template offers is in docs/docker.md; and the documents the Dockerfile and the
 * compose file point at exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const documented = (doc: string, name: string) => doc.includes(`\`${name}\``);

/** `env.NAME` / `process.env.NAME` reads in a source file. */
function envReads(file: string): string[] {
  return [...read(file).matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]);
}

describe('deployment documents', () => {
  it('finds the variables it checks (the detectors are not blind)', () => {
    expect(envReads('electron/headless-config.ts')).toEqual(expect.arrayContaining(['PORT', 'STABLE_DIFFUSION_SAVE_PATH', 'STABLEQUEUE_PASSWORD']));
    expect(documented('| `PORT` |', 'PORT')).toBe(true);
    expect(documented('| PORTS |', 'PORT')).toBe(false);
  });

  it('every variable the headless entry reads is in the README', () => {
    const readme = read('README.md');
    const names = new Set(['electron/headless-config.ts', 'electron/headless.ts', 'electron/engine/logger.ts'].flatMap(envReads));
    expect([...names].filter((name) => !documented(readme, name))).toEqual([]);
  });

  it('every variable of the Docker image and the Unraid template is in docs/docker.md', () => {
    const doc = read('docs/docker.md');
    const runtimeEnv = read('Dockerfile').split('FROM node:${NODE_VERSION}-slim AS runtime')[1] ?? '';
    const imageVars = [...runtimeEnv.matchAll(/^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).filter((n) => n !== 'NODE_ENV');
    const templateVars = [...read('unraid/stablequeue.xml').matchAll(/Target="([A-Z][A-Z0-9_]+)"[^>]*Type="Variable"/g)].map((m) => m[1]);
    expect(imageVars).toEqual(expect.arrayContaining(['HOST', 'PORT', 'CONFIG_DATA_PATH', 'PUID']));
    expect(templateVars).toEqual(expect.arrayContaining(['STABLEQUEUE_PASSWORD', 'PUID']));
    expect([...imageVars, ...templateVars].filter((name) => !documented(doc, name))).toEqual([]);
  });

  it('the documents the Dockerfile and the compose file point at exist', () => {
    for (const file of ['Dockerfile', 'docker-compose.yml']) {
      const pointers = [...read(file).matchAll(/\b(docs\/[\w./-]+\.md)\b/g)].map((m) => m[1]);
      expect(pointers.length, file).toBeGreaterThan(0);
      for (const pointer of pointers) expect(fs.existsSync(path.join(ROOT, pointer)), `${file} → ${pointer}`).toBe(true);
    }
  });
});
