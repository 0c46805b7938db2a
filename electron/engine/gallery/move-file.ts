import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Moves a file, creating the target's folder: a rename on the same disk, else a copy
 * then removal of the original (a gallery source on another drive than the trash).
 * Never overwrites: an existing target is an error.
 */
export async function moveFile(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  try {
    await fs.access(to);
    throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await fs.rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
    await fs.rm(from);
  }
}
