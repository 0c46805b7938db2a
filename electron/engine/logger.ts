import pino, { type Logger } from 'pino';

/**
 * Structured logs. Every message about traffic carries `dir` (e.g. `engine→forge`,
 * `forge→engine`, `engine→ui`) as the seed plan asks. Secret-bearing fields are redacted.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { app: 'stablequeue' },
      redact: {
        paths: [
          'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'api_secret',
          'headers.authorization', 'headers["x-api-secret"]', 'headers.cookie', 'req.headers.authorization',
          'req.headers["x-api-secret"]', 'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
