import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The UI talks to the engine through one client in renderer/src/api/: that is where the
 * launch token, the error shape and the "signed out → login page" hook live. A component
 * or store that calls `fetch` (or opens its own XHR / EventSource / beacon) skips all
 * three, so only files under api/ may touch the network.
 */
const RENDERER_DIR = path.join(import.meta.dirname, '../../../renderer/src');
const API_DIR = path.join(RENDERER_DIR, 'api');

// A global network call: `fetch(`, `window.fetch`, `globalThis.fetch`, `self.fetch`, a bare
// `fetch` passed around (`const f = fetch`), `new XMLHttpRequest`, `new EventSource`,
// `navigator.sendBeacon`. A method that only ends in "fetch" (`store.fetch()`,
// `refetch()`, `fetchJobs()`) is not one.
const NETWORK_CALL = /(?:(?<![\w$.])|\b(?:window|globalThis|self)\.)fetch\b(?!\s*:)|\bnew\s+(?:XMLHttpRequest|EventSource)\b|\bsendBeacon\s*\(/;

/** Code without comments; for a .vue file, only its <script> blocks (templates cannot reach globals). */
function codeOf(file: string, text: string): string {
  const scripts = file.endsWith('.vue') ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join('\n') : text;
  return scripts.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function networkCalls(file: string, text: string): string[] {
  return codeOf(file, text)
    .split('\n')
    .flatMap((line, index) => (NETWORK_CALL.test(line) ? [`${index + 1}: ${line.trim()}`] : []));
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full);
    return /\.(?:ts|vue)$/.test(entry.name) ? [full] : [];
  });
}

describe('the renderer reaches the network only through renderer/src/api/', () => {
  it('the detector catches every form (so the check below can fail)', () => {
    const positives: Array<[string, string]> = [
      ['a.ts', "const res = await fetch('/api/v1/health');"],
      ['a.ts', 'const res = await window.fetch(url, init);'],
      ['a.ts', 'await globalThis.fetch(url)'],
      ['a.ts', 'self.fetch(url)'],
      ['a.ts', 'const get = fetch;'],
      ['a.ts', 'const xhr = new XMLHttpRequest();'],
      ['a.ts', 'const es = new EventSource(url);'],
      ['a.ts', "navigator.sendBeacon('/api/v1/log', body);"],
      ['A.vue', "<script setup lang=\"ts\">\nconst r = await fetch(path, { method: 'POST' });\n</script>\n<template><p /></template>"],
      ['A.vue', '<template><p /></template>\n<script lang="ts">\nexport default { async mounted() { await fetch(u); } };\n</script>'],
    ];
    for (const [file, code] of positives) expect(networkCalls(file, code), code).not.toEqual([]);
    const negatives: Array<[string, string]> = [
      ['a.ts', 'await jobs.fetchJobs();'],
      ['a.ts', 'await store.fetch();'],
      ['a.ts', 'void refetch();'],
      ['a.ts', '// fetch the list once, then follow events'],
      ['a.ts', '/* we used to fetch( here */ const x = 1;'],
      ['a.ts', 'const api = new ApiClient({ fetch: fake });'],
      ['a.ts', "const url = 'https://example.com/path'; // not a fetch"],
      ['A.vue', '<template><button @click="fetch">Fetch again</button></template>\n<script setup lang="ts">\nconst n = 1;\n</script>'],
    ];
    for (const [file, code] of negatives) expect(networkCalls(file, code), code).toEqual([]);
  });

  it('no file outside renderer/src/api/ calls the network itself', () => {
    const files = walk(RENDERER_DIR);
    expect(files.length).toBeGreaterThan(20);
    // The client itself is found by the detector, so a clean result elsewhere means something.
    expect(networkCalls(path.join(API_DIR, 'client.ts'), fs.readFileSync(path.join(API_DIR, 'client.ts'), 'utf8'))).not.toEqual([]);
    const offenders = files
      .filter((file) => !file.startsWith(API_DIR + path.sep))
      .flatMap((file) => networkCalls(file, fs.readFileSync(file, 'utf8')).map((hit) => `${path.relative(RENDERER_DIR, file)}:${hit}`));
    expect(offenders).toEqual([]);
  });
});
