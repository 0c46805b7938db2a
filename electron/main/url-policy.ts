/**
 * Which URLs the window may show, which links may leave the app, and which frames may
 * talk to the main process. Pure functions over strings: the app origin is the embedded
 * engine's http://127.0.0.1:<port>.
 */

/** The origin of a URL, or null when it does not parse or has no real origin (file:, data:, javascript:, about:). */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.origin;
}

/** True only for http(s) URLs on exactly the app's origin (scheme, host and port). */
export function isAppUrl(url: string, appOrigin: string): boolean {
  const origin = originOf(url);
  return origin !== null && origin === originOf(appOrigin);
}

/** Links the shell agrees to hand to the user's browser: https only, no credentials in the URL. */
export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && parsed.hostname !== '';
}

export type NavigationDecision =
  | { action: 'allow' }
  | { action: 'deny'; openExternally: boolean };

/** will-navigate: stay on the app origin; an https link elsewhere opens in the browser; the rest is dropped. */
export function decideNavigation(url: string, appOrigin: string): NavigationDecision {
  if (isAppUrl(url, appOrigin)) return { action: 'allow' };
  return { action: 'deny', openExternally: isAllowedExternalUrl(url) };
}

/** setWindowOpenHandler: never a new Electron window; https links open in the browser. */
export function decideWindowOpen(url: string): { openExternally: boolean } {
  return { openExternally: isAllowedExternalUrl(url) };
}

/**
 * IPC sender check: the frame that sent the message must be on the app origin. A missing
 * frame (navigated away or destroyed) is refused.
 */
export function isTrustedSender(frameUrl: string | null | undefined, appOrigin: string): boolean {
  return typeof frameUrl === 'string' && isAppUrl(frameUrl, appOrigin);
}
