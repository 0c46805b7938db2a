import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir; call the returned cleanup when done. */
export function makeTempDir(prefix = 'sq-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
