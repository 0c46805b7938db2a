// The extensions' Python unit tests (no StableQueue needed): Forge capture and glue,
// the shared API client, the ComfyUI extension's server side. Each module runs with
// `python3 -m unittest` and must pass; its test count is checked so a module that
// silently stops collecting tests fails here.
import { describe, expect, it } from 'vitest';
import { runPythonTests } from './python-unittest.ts';

const MODULES: [string, string, number][] = [
  ['test_forge_capture', 'Forge payload capture: flat fields, hires, settings, ControlNet (canvas flattened, preview, batch) + ADetailer alwayson_scripts', 34],
  ['test_forge_script', 'Forge script glue with modules stubbed: click caught before process_images, fallback in before_process, errors, job list and its buttons', 10],
  ['test_client', 'StableQueue API client: errors (401/403/429/413/400/500/redirect/unreachable) and calls', 18],
  ['test_comfy_extension', 'ComfyUI extension server side: settings, forwarder, routes, package import', 13],
];

describe('extensions: Python unit tests', () => {
  it.each(MODULES)('%s — %s', async (module, _what, minimum) => {
    const run = await runPythonTests([module]);
    expect(run.ok, run.report).toBe(true);
    expect(run.ran, run.report).toBeGreaterThanOrEqual(minimum);
    expect(run.results.filter((r) => r.outcome === 'FAIL' || r.outcome === 'ERROR'), run.report).toEqual([]);
  });
});
