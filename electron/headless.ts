import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from './engine/index.ts';
import { createLogger } from './engine/logger.ts';
import { RecentLogs } from './engine/ops/recent-logs.ts';
import { headlessConfigFromEnv } from './headless-config.ts';

/** Readable lines in a terminal when pino-pretty is installed (dev); JSON for Docker, pipes and files. */
async function terminalDestination() {
  if (!process.stdout.isTTY || process.env.LOG_FORMAT === 'json') return undefined;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' });
  } catch {
    return undefined;
  }
}

/**
 * `npm run serve` and the Docker image: the engine as a plain Node server, configured by
 * environment variables. SIGTERM/SIGINT stop claiming, give running jobs a grace period,
 * requeue what is left and close the database.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
// The newest log lines stay in memory too, for Settings → Download diagnostics.
const recentLogs = new RecentLogs();
const logger = createLogger({ destination: await terminalDestination(), recent: recentLogs });
let config;
try {
  config = headlessConfigFromEnv(process.env, { uiDir: path.resolve(here, '../dist/renderer'), cwd: process.cwd() });
} catch (error) {
  logger.fatal((error as Error).message);
  process.exit(2);
}
const engine = createEngine({ ...config, logger, recentLogs });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), (config!.shutdownGraceMs ?? 10_000) + 15_000);
  force.unref();
  try {
    await engine.stop();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  const { url } = await engine.start();
  logger.info(`StableQueue is running at ${url}`);
} catch (error) {
  logger.fatal({ err: error }, 'StableQueue could not start');
  process.exit(1);
}
