import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './http.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface HeadlessProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown code runs (the crash case). */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  terminate(): Promise<number | null>;
}

/** `node electron/headless.ts` as a real child process, waiting until /api/v1/health answers. */
/** `startTimeoutMs` (default 30 s): a busy machine can take longer to load the engine. */
export async function startHeadless(env: Record<string, string>, opts: { port?: number; startTimeoutMs?: number } = {}): Promise<HeadlessProcess> {
  const port = opts.port ?? await freePort();
  let output = '';
  const child = spawn(process.execPath, ['electron/headless.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`headless exited early (${child.exitCode}): ${output}`);
    try {
      return (await fetch(`${url}/api/v1/health`)).ok;
    } catch {
      return false;
    }
  }, { timeoutMs: opts.startTimeoutMs ?? 60_000, what: 'headless server to start' });
  return {
    url, port, child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
