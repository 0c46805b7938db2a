import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './stats.ts';
import { benchIdleGap } from './idle-gap.ts';
import { benchListLatency } from './list-latency.ts';
import { benchSubmitThroughput } from './submit-throughput.ts';

/**
 * `npm run bench`: prints figures against their targets. Not a test: numbers depend on
 * the machine. Optional benches of other parts are picked up when their module exists.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];

const benches: [string, () => Promise<BenchResult>][] = [
  ['idle-gap', () => benchIdleGap()],
  ['submit', () => benchSubmitThroughput()],
  ['list', () => benchListLatency()],
];
const optional: [string, string, string][] = [
  ['comfy-gap', 'comfy-gap.ts', 'benchComfyGap'],
  ['download', 'download.ts', 'benchDownload'],
  ['hashing', 'hashing.ts', 'benchHashing'],
  ['smart-dispatch', 'smart-dispatch.ts', 'benchSmartDispatch'],
  ['gallery-index', 'gallery-index.ts', 'benchGalleryIndex'],
  ['gallery-scroll', 'gallery-scroll.ts', 'benchGalleryScroll'],
  ['batch-submit', 'batch-submit.ts', 'benchBatchSubmit'],
];
for (const [name, file, fn] of optional) {
  if (!fs.existsSync(path.join(here, file))) continue;
  benches.push([name, async () => {
    const module = await import(`./${file}`) as Record<string, () => Promise<BenchResult>>;
    return module[fn]();
  }]);
}

for (const [name, run] of benches) {
  if (only && only !== name) continue;
  try {
    const result = await run();
    console.log(`\n${result.name}`);
    for (const [key, value] of Object.entries(result.figures)) console.log(`  ${key.padEnd(26)} ${value}`);
  } catch (error) {
    console.log(`\n${name}: failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  }
}
