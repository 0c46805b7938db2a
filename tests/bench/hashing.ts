import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HashPool } from '../../electron/engine/models/hashing/hash-pool.ts';
import { GeneratedFile } from '../emulators/civitai/generated-file.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { round, type BenchResult } from './stats.ts';

const SIZE = 1024 * 1024 * 1024;
const RUNS = 3;

function writeFile(file: string): void {
  const gen = new GeneratedFile({ size: SIZE, seed: 42, format: 'safetensors', metadata: { 'modelspec.architecture': 'stable-diffusion-xl-v1-base' } });
  const fd = fs.openSync(file, 'w');
  try {
    const step = 16 * 1024 * 1024;
    for (let pos = 0; pos < SIZE; pos += step) {
      fs.writeSync(fd, gen.read(pos, Math.min(SIZE, pos + step)));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function shaTool(): { cmd: string; args: string[] } | null {
  for (const candidate of [{ cmd: 'sha256sum', args: [] as string[] }, { cmd: 'shasum', args: ['-a', '256'] }]) {
    if (spawnSync(candidate.cmd, [...candidate.args, '--version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return null;
}

async function best(runs: number, task: () => Promise<number> | number): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await task());
  return min;
}

/**
 * Hashing speed of the library's worker threads against `sha256sum` on the same 1 GiB
 * file (page cache warm for both; best of three). Also: SHA256 and AutoV3 side by side
 * (what a safetensors file costs) and the event loop's worst lag meanwhile.
 */
export async function benchHashing(): Promise<BenchResult> {
  const tmp = makeTempDir('sq-bench-hash-');
  const pool = new HashPool(2);
  try {
    const file = path.join(tmp.dir, 'model.safetensors');
    writeFile(file);
    const tool = shaTool();
    // Warm the page cache so neither side measures the disk.
    await pool.hash(file, 'sha256');

    let toolHex = '';
    const toolMs = tool ? await best(RUNS, () => {
      const started = performance.now();
      const out = spawnSync(tool.cmd, [...tool.args, file], { encoding: 'utf8' });
      toolHex = out.stdout.split(/\s+/)[0];
      return performance.now() - started;
    }) : NaN;

    let ourHex = '';
    const oursMs = await best(RUNS, async () => {
      const started = performance.now();
      ourHex = await pool.hash(file, 'sha256');
      return performance.now() - started;
    });

    let maxLagMs = 0;
    const bothMs = await best(RUNS, async () => {
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxLagMs = Math.max(maxLagMs, now - last - 10);
        last = now;
      }, 10);
      const started = performance.now();
      await Promise.all([pool.hash(file, 'sha256'), pool.hash(file, 'autov3')]);
      clearInterval(timer);
      return performance.now() - started;
    });

    const mbps = (ms: number) => round(SIZE / 1024 / 1024 / (ms / 1000), 0);
    const ratio = tool ? toolMs / oursMs : NaN;
    return {
      name: 'Hashing: library worker vs sha256sum (1 GiB, page cache warm, best of 3)',
      figures: {
        [`${tool?.cmd ?? 'sha256sum'} MB/s`]: tool ? mbps(toolMs) : 'not installed',
        'StableQueue SHA256 MB/s': mbps(oursMs),
        'speed ratio (target >= 0.80)': tool ? round(ratio, 2) : 'n/a',
        'meets target': tool ? (ratio >= 0.8 ? 'yes' : 'NO') : 'n/a',
        'same digest': tool ? (toolHex === ourHex ? 'yes' : 'NO') : 'n/a',
        'SHA256 + AutoV3 together MB/s': mbps(bothMs),
        'event loop max lag ms': round(maxLagMs, 1),
      },
    };
  } finally {
    await pool.close();
    tmp.cleanup();
  }
}
