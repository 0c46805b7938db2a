/**
 * Takes secrets out of text that leaves the machine (the diagnostics bundle). Two nets:
 * every known secret value (server passwords, the Civitai token, the UI password, the
 * launch token) wherever it appears, and the usual shapes of secrets in logs and URLs
 * (secret-named JSON fields, Authorization headers, user:password@ in URLs, token=… in
 * query strings), which also catch values the engine never knew, such as API key secrets.
 */
const SECRET_FIELD = /("(?:[\w-]*(?:password|passwd|secret|token|authorization|cookie|api[_-]?key)[\w-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;
/** The same field inside a JSON string that was itself logged as a string: \"password\":\"…\". */
const ESCAPED_SECRET_FIELD = /(\\"(?:[\w-]*(?:password|passwd|secret|token|authorization|cookie|api[_-]?key)[\w-]*)\\"\s*:\s*)\\"(?:(?!\\").)*\\"/gi;
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@"]+):([^/\s@"]+)@/gi;
const QUERY_SECRET = /([?&](?:token|api_key|apikey|key|secret|password)=)[^&\s"#]+/gi;
const CENSOR = '[redacted]';

export function redactText(text: string, knownSecrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...new Set(knownSecrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(CENSOR);
  }
  return out
    .replace(SECRET_FIELD, `$1"${CENSOR}"`)
    .replace(ESCAPED_SECRET_FIELD, `$1\\"${CENSOR}\\"`)
    .replace(AUTH_HEADER, `$1 ${CENSOR}`)
    .replace(URL_USERINFO, `$1$2:${CENSOR}@`)
    .replace(QUERY_SECRET, `$1${CENSOR}`);
}
