import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The app version from package.json (two levels up from electron/engine, also in dist/). */
export const VERSION: string = (() => {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'stablequeue' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
})();
