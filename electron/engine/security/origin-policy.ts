/** The Origin header, reduced to what the checks need. */
export type RequestOrigin =
  | { kind: 'absent' }
  /** `Origin: null` (sandboxed frames, file: pages, some redirects): never trusted. */
  | { kind: 'null' }
  | { kind: 'invalid' }
  | { kind: 'url'; origin: string; host: string; protocol: string };

export function readOrigin(value: string | string[] | undefined): RequestOrigin {
  if (value === undefined) return { kind: 'absent' };
  if (Array.isArray(value)) return { kind: 'invalid' };
  const trimmed = value.trim();
  if (trimmed === 'null') return { kind: 'null' };
  try {
    const url = new URL(trimmed);
    if (!url.host) return { kind: 'invalid' };
    // Extension origins (chrome-extension://id) have an opaque URL origin; keep scheme + host.
    const origin = url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`;
    return { kind: 'url', origin: origin.toLowerCase(), host: url.host.toLowerCase(), protocol: url.protocol };
  } catch {
    return { kind: 'invalid' };
  }
}

/**
 * Same origin as the app: the Origin's host:port is the Host the request was sent to. The
 * scheme is not compared, so a TLS-terminating proxy in front does not break the UI; the
 * Host itself has passed the allow-list before this runs.
 */
export function isSameOrigin(origin: RequestOrigin, hostHeader: string | undefined): boolean {
  if (origin.kind !== 'url' || !hostHeader) return false;
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false;
  try {
    return new URL(`${origin.protocol}//${hostHeader}`).host.toLowerCase() === origin.host;
  } catch {
    return false;
  }
}

/**
 * Normalises configured CORS origins (STABLEQUEUE_CORS_ORIGINS): exact origins only,
 * e.g. `chrome-extension://abcdef…` or `http://192.168.1.20:7860`. `*` and `null` are
 * dropped: there is never a wildcard.
 */
export function normalizeCorsOrigins(values: readonly string[]): { origins: Set<string>; rejected: string[] } {
  const origins = new Set<string>();
  const rejected: string[] = [];
  for (const raw of values) {
    const value = raw.trim().replace(/\/+$/, '');
    if (!value) continue;
    const parsed = readOrigin(value);
    if (parsed.kind !== 'url' || value.includes('*')) {
      rejected.push(value);
      continue;
    }
    origins.add(parsed.origin);
  }
  return { origins, rejected };
}

/** Sec-Fetch-Site values that mean "this page's own code" or "the user typed/bookmarked it". */
export function isSameOriginFetch(secFetchSite: string | string[] | undefined): boolean {
  if (secFetchSite === undefined) return true;
  if (Array.isArray(secFetchSite)) return false;
  return secFetchSite === 'same-origin' || secFetchSite === 'none';
}
