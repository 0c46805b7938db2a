/**
 * The README's two commands on a fresh clone, as a newcomer runs them: the committed
 * repository is cloned into a temp folder, and `npm install` then `npm run serve` run there
 * with the machine's own Node first on PATH (whatever version it is, not the Node 24 this
 * suite runs under) and none of the npm_* variables of the npm that started the tests.
 * The server must answer GET / with the UI and GET /api/v1/servers with JSON.
 *
 * Skipped, saying why, only when the npm registry cannot be reached. It tests what is
 * committed: uncommitted work in the checkout is not in the clone.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/headless-process.ts';
import { waitFor } from '../helpers/http.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** The first `node` on PATH that is not a node_modules/.bin one, i.e. the machine's own. */
function findSystemNode(pathVar: string): string | null {
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir || dir.split(path.sep).includes('node_modules')) continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * A shell's environment as a newcomer has it: the system Node's folder first on PATH, no
 * node_modules/.bin folders, and none of the variables npm and vitest set for this run.
 */
function newcomerEnv(systemNode: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|vitest|node_options$|node_env$|init_cwd$|test$)/i.test(name)) continue;
    env[name] = value;
  }
  const rest = (process.env.PATH ?? '').split(path.delimiter)
    .filter((dir) => dir && !dir.split(path.sep).includes('node_modules'));
  env.PATH = [path.dirname(systemNode), ...rest].join(path.delimiter);
  return env;
}

const systemNode = findSystemNode(process.env.PATH ?? '');
const env = systemNode ? newcomerEnv(systemNode) : {};

/** Why the test cannot run here, or null. Only an unreachable registry (or no Node at all) counts. */
async function skipReason(): Promise<string | null> {
  if (!systemNode) return 'no system node on PATH';
  try {
    await run('npm', ['ping'], { env, timeout: 30_000 });
    return null;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    return `the npm registry cannot be reached (npm ping: ${(failed.stderr || failed.message).trim().split('\n').pop()})`;
  }
}

const reason = await skipReason();
if (reason) console.warn(`[fresh-clone] skipping the README install-and-serve test: ${reason}`);

describe.skipIf(!!reason)('a fresh clone with the README commands', { timeout: 600_000 }, () => {
  const tmp = makeTempDir('sq-fresh-clone-');
  const repo = path.join(tmp.dir, 'StableQueue');
  let server: ChildProcess | null = null;
  let output = '';

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      try {
        process.kill(-server.pid, 'SIGTERM'); // npm, sh and node: the whole process group
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-server!.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    // A whole node_modules: removed without blocking the worker's event loop.
    await fs.promises.rm(tmp.dir, { recursive: true, force: true });
  }, 300_000);

  it('npm install && npm run serve with the system Node serve the UI and the API', async () => {
    const systemVersion = (await run(systemNode!, ['--version'], { env })).stdout.trim();
    await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, repo], { timeout: 120_000 });

    const installStarted = Date.now();
    const install = await run('npm', ['install'], {
      cwd: repo, env, timeout: 540_000, maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`npm install failed under system node ${systemVersion}: ${error.message}\n${(error.stderr ?? '').slice(-4000)}`);
    });
    expect(install.stderr).not.toMatch(/npm error/);

    // What the npm scripts will run under: the pinned Node from node_modules/.bin.
    const scriptNode = (await run('npm', ['exec', '--', 'node', '--version'], { cwd: repo, env })).stdout.trim();
    expect(scriptNode).toMatch(/^v24\./);

    const installSeconds = Math.round((Date.now() - installStarted) / 1000);

    const port = await freePort();
    const dataDir = path.join(tmp.dir, 'data');
    server = spawn('npm', ['run', 'serve'], {
      cwd: repo,
      env: { ...env, PORT: String(port), HOST: '127.0.0.1', STABLEQUEUE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the whole tree can be stopped
    });
    server.stdout!.on('data', (d) => { output += d; });
    server.stderr!.on('data', (d) => { output += d; });

    const url = `http://127.0.0.1:${port}`;
    const serveStarted = Date.now();
    const home = await waitFor(async () => {
      if (server!.exitCode !== null) throw new Error(`npm run serve exited (${server!.exitCode}) under system node ${systemVersion}:\n${output.slice(-4000)}`);
      try {
        const res = await fetch(`${url}/`);
        return res.ok ? { type: res.headers.get('content-type') ?? '', html: await res.text() } : null;
      } catch {
        return null;
      }
    }, { timeoutMs: 240_000, intervalMs: 500, what: 'npm run serve to answer GET /' });
    console.info(`[fresh-clone] system node ${systemVersion}: npm install ${installSeconds} s, npm run serve answered after ${Math.round((Date.now() - serveStarted) / 1000)} s`);
    expect(home.type).toMatch(/^text\/html/);
    expect(home.html).toMatch(/<div id="app"/);
    expect(home.html).toMatch(/<script[^>]+src="[^"]+\.js"/);

    const servers = await fetch(`${url}/api/v1/servers`);
    expect(servers.status).toBe(200);
    expect(servers.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await servers.json()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'stablequeue.db'))).toBe(true);
  });
});
