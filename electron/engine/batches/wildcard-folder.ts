import fs from 'node:fs/promises';
import path from 'node:path';
import type { WildcardSource } from './dynamic-prompts.ts';

/** Most wildcard files read from one folder; a folder with more is cut there (a wrong path, not wildcards). */
const MAX_FILES = 5000;

/** One option per line; empty lines and lines starting with # are left out. */
export function wildcardFileLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

/** `colors/*` or `**\/warm` as a regular expression over names like `colors/warm`. */
function globPattern(name: string): RegExp {
  const escaped = name.split('/').map((part) => part === '**'
    ? '.*'
    : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'));
  return new RegExp(`^${escaped.join('/').replace(/\.\*\//g, '(?:.*/)?')}$`);
}

/**
 * The wildcards folder in sd-dynamic-prompts' layout: `colors.txt` is `__colors__`,
 * `colors/warm.txt` is `__colors/warm__`, and a name with `*` takes every matching file (in
 * name order). Read once when made: a batch sees one consistent set of files.
 */
export async function readWildcardFolder(dir: string): Promise<WildcardSource> {
  const files = new Map<string, string[]>();
  const walk = async (relative: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (files.size >= MAX_FILES) return;
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.txt')) {
        files.set(child.slice(0, -4).toLowerCase(), wildcardFileLines(await fs.readFile(path.join(dir, child), 'utf8')));
      }
    }
  };
  await walk('');
  return (name) => {
    const key = name.toLowerCase().replace(/\\/g, '/');
    if (!key.includes('*') && !key.includes('?')) return files.get(key) ?? null;
    const pattern = globPattern(key);
    const matches = [...files.keys()].filter((file) => pattern.test(file)).sort();
    return matches.length ? matches.flatMap((file) => files.get(file)!) : null;
  };
}
