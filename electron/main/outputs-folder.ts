/** "Open outputs folder" (tray menu and Settings): created first if no image was saved yet. */
import fs from 'node:fs/promises';
import type { Logger } from 'pino';

export async function openOutputsFolder(dir: string, shell: { openPath(path: string): Promise<string> }, logger: Pick<Logger, 'warn'>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const error = await shell.openPath(dir);
  if (error) logger.warn({ dir, error }, 'could not open the outputs folder');
}
