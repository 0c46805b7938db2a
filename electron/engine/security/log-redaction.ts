import pino from 'pino';

/**
 * Log fields that may hold a secret, censored by pino's redaction: passwords, tokens, API
 * secrets, cookies, the desktop launch token, Authorization headers (Basic auth to a
 * backend carries its password), wherever a request or response object is logged.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'api_secret', '*.api_secret',
  'launch_token', 'launchToken', '*.launchToken', 'uiPassword', '*.uiPassword', 'civitai_token', 'cookie', 'authorization',
  'headers.authorization', 'headers.cookie', 'headers["set-cookie"]', 'headers["x-api-secret"]', 'headers["x-stablequeue-launch-token"]',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-secret"]', 'req.headers["x-stablequeue-launch-token"]',
  'res.headers["set-cookie"]',
];

/** Properties of error objects that carry whole requests: axios's config (auth, headers), Node's raw packets. */
const ERROR_FIELDS_DROPPED = ['config', 'request', 'response', 'rawPacket', 'req', 'res', 'headers', 'auth'];

type SerializedError = ReturnType<typeof pino.stdSerializers.err> & Record<string, unknown>;

/**
 * pino's error serializer copies every enumerable property of an error. An AxiosError's
 * `config.auth` holds the backend password and an HTTP parse error's `rawPacket` holds the
 * request bytes (an X-API-Secret among them), so those are dropped, here and in nested errors.
 */
export function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as SerializedError;
  if (out && typeof out === 'object') scrub(out, 0);
  return out;
}

function scrub(serialized: Record<string, unknown>, depth: number): void {
  for (const field of ERROR_FIELDS_DROPPED) delete serialized[field];
  if (depth > 5) return;
  for (const value of Object.values(serialized)) {
    const nested = Array.isArray(value) ? value : [value];
    for (const item of nested) {
      if (item && typeof item === 'object' && 'message' in item && 'stack' in item) scrub(item as Record<string, unknown>, depth + 1);
    }
  }
}
