/**
 * The Content-Security-Policy the shell adds to every response of the app origin (the
 * engine serves the UI, so the shell sets it from session.webRequest.onHeadersReceived).
 * An engine CSP, if any, stays: browsers enforce both, so this can only tighten.
 */
import { isAppUrl } from './url-policy.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Vue binds style attributes at runtime.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
].join('; ');

export type ResponseHeaders = Record<string, string | string[]>;

/** The response headers to use for `url`: with the CSP added when it comes from the app origin. */
export function withContentSecurityPolicy(url: string, headers: ResponseHeaders | undefined, appOrigin: string): ResponseHeaders {
  const result: ResponseHeaders = { ...headers };
  if (!isAppUrl(url, appOrigin)) return result;
  const key = Object.keys(result).find((name) => name.toLowerCase() === 'content-security-policy') ?? 'Content-Security-Policy';
  const existing = result[key];
  const values = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  result[key] = [...values, CONTENT_SECURITY_POLICY];
  return result;
}
