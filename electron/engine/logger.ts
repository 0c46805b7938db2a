import pino, { type Logger } from 'pino';
import type { RecentLogs } from './ops/recent-logs.ts';
import { REDACT_PATHS, serializeError } from './security/log-redaction.ts';

/**
 * Structured logs. Every message about traffic carries `dir` (e.g. `engine→forge`,
 * `forge→engine`, `engine→ui`) so each line says which way it went. Secret-bearing fields are redacted.
 */
export function createLogger(options: {
  level?: string;
  destination?: pino.DestinationStream;
  /** Also keep the newest lines in memory (for the diagnostics bundle). */
  recent?: RecentLogs;
} = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination = options.recent && level !== 'silent'
    ? pino.multistream([{ level: level as pino.Level, stream: options.destination ?? process.stdout }, { level: level as pino.Level, stream: options.recent }])
    : options.destination;
  return pino(
    {
      level,
      base: { app: 'stablequeue' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    destination,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
