import fs from 'node:fs';

/**
 * Flushes a finished temp file to disk, then renames it to its real name: after a crash or
 * power loss the real name holds either the whole new file or what it held before, never a
 * file whose rename reached the disk ahead of its contents.
 */
export function renameDurably(tmp: string, file: string): void {
  const handle = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  fs.renameSync(tmp, file);
}
