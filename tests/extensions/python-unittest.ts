// Runs Python unittest modules of tests/extensions/python from vitest and reads the result.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON_TESTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python');
export const PYTHON = process.env.PYTHON ?? 'python3';

export interface PythonTestResult {
  name: string; // test_x (module.Class.test_x)
  outcome: 'ok' | 'FAIL' | 'ERROR' | 'skipped' | 'expected failure' | 'unexpected success';
}

export interface PythonRun {
  code: number | null;
  output: string;
  ran: number;
  ok: boolean;
  skipped: number;
  failures: number;
  errors: number;
  results: PythonTestResult[];
  /** A short text for assertion messages: the summary and the failing tests' output. */
  report: string;
}

export function parseUnittest(output: string, code: number | null): PythonRun {
  const results: PythonTestResult[] = [];
  const line = /^(test\S* \([\w.]+\))(?:\n.*?)? \.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$/gm;
  for (const m of output.matchAll(line)) {
    const outcome = m[2].startsWith('skipped') ? 'skipped' : (m[2] as PythonTestResult['outcome']);
    results.push({ name: m[1], outcome });
  }
  const ran = Number(/^Ran (\d+) tests? in /m.exec(output)?.[1] ?? NaN);
  const summary = /^(OK|FAILED)(?: \(([^)]*)\))?$/m.exec(output);
  const counts = Object.fromEntries(
    (summary?.[2] ?? '').split(',').filter(Boolean).map((kv) => kv.trim().split('=')).map(([k, v]) => [k, Number(v)]),
  );
  const failing = output.split(/^={20,}$/m).slice(1).join('\n').slice(0, 6000);
  return {
    code,
    output,
    ran,
    ok: code === 0 && summary?.[1] === 'OK',
    skipped: counts.skipped ?? 0,
    failures: counts.failures ?? 0,
    errors: counts.errors ?? 0,
    results,
    report: `exit ${code}; ${summary?.[0] ?? 'no unittest summary'}; ran ${ran}\n${failing || output.slice(-4000)}`,
  };
}

/** `python3 -m unittest -v <modules>` in tests/extensions/python, without blocking the event loop. */
export function runPythonTests(modules: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-m', 'unittest', '-v', ...modules], {
      cwd: PYTHON_TESTS_DIR,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${PYTHON}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(parseUnittest(output, code));
    });
  });
}
