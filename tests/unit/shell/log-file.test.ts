import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogFileStream } from '../../../electron/main/log-file.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('the desktop log file', () => {
  const tmp = makeTempDir('sq-logs-');
  afterAll(() => tmp.cleanup());

  it('creates its folder, rotates at the size cap and keeps only the newest files', async () => {
    const file = path.join(tmp.dir, 'logs', 'stablequeue.log');
    const stream = createLogFileStream(file, { size: '1K', keep: 2 });
    const line = `${JSON.stringify({ msg: 'x'.repeat(200) })}\n`;
    for (let i = 0; i < 40; i++) {
      if (!stream.write(line)) await new Promise<void>((r) => stream.once('drain', () => r()));
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise<void>((resolve) => stream.end(resolve));
    const names = fs.readdirSync(path.dirname(file));
    expect(names.sort()).toEqual(['stablequeue.log', 'stablequeue.log.1', 'stablequeue.log.2']);
    const rotated = names.filter((n) => n !== 'stablequeue.log');
    expect(rotated.length).toBeGreaterThan(0);
    expect(rotated.length).toBeLessThanOrEqual(2);
    const total = names.reduce((n, name) => n + fs.statSync(path.join(path.dirname(file), name)).size, 0);
    expect(total).toBeLessThan(40 * line.length); // older lines were dropped with the oldest files
    for (const name of names) expect(fs.statSync(path.join(path.dirname(file), name)).size).toBeLessThanOrEqual(1024 + line.length);
  });
});
