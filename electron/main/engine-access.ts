/**
 * How the window reaches the embedded engine: on 127.0.0.1, with a per-launch token the
 * window's API client sends (the header name is shared/launch-token.ts). The shell itself
 * calls the engine in-process.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** 256 random bits, URL-safe: a new one at every launch. */
export function createLaunchToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The port to bind: the one used last time if it is free (so the window's origin, and
 * with it the page's local storage, stays the same across launches), else 0 (any).
 */
export async function choosePort(lastPort: number | null, host = '127.0.0.1'): Promise<number> {
  if (!lastPort || !Number.isInteger(lastPort) || lastPort < 1024 || lastPort > 65535) return 0;
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port: lastPort, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
  return free ? lastPort : 0;
}
