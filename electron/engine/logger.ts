import pino, { type Logger } from 'pino';
import { REDACT_PATHS, serializeError } from './security/log-redaction.ts';

/**
 * Structured logs. Every message about traffic carries `dir` (e.g. `engine→forge`,
 * `forge→engine`, `engine→ui`) as the seed plan asks. Secret-bearing fields are redacted.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { app: 'stablequeue' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    options.destination,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
