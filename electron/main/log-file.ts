import path from 'node:path';
import { createStream, type RotatingFileStream } from 'rotating-file-stream';

/**
 * The desktop's log file with a size cap, rotated the classic way: when it reaches `size`,
 * `stablequeue.log` becomes `stablequeue.log.1` (the older ones shift up) and a fresh one
 * starts; only `keep` old files stay, so a long-running tray app never fills the disk with
 * logs. Headless/Docker logs go to stdout, where Docker's own log rotation applies.
 */
export function createLogFileStream(file: string, options: { size?: `${number}M` | `${number}K`; keep?: number } = {}): RotatingFileStream {
  const name = path.basename(file);
  // In classic rotation the generator gets the rotation number (1 = newest old file), or nothing for the live file.
  return createStream((nth: number | Date | null) => (typeof nth === 'number' && nth > 0 ? `${name}.${nth}` : name), {
    path: path.dirname(file),
    size: options.size ?? '10M',
    rotate: options.keep ?? 5,
  });
}
