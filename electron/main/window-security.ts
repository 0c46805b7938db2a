/**
 * The window's security settings and the listeners that keep it on the app origin.
 * Takes the Electron objects as parameters (structural types), so tests pass stubs.
 */
import { withContentSecurityPolicy, type ResponseHeaders } from './content-security-policy.ts';
import { decideNavigation, decideWindowOpen, isAppUrl } from './url-policy.ts';

export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: true,
    devTools: options.devTools,
  } as const;
}

interface NavigationEventLike {
  preventDefault(): void;
  url?: string;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: NavigationEventLike, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * will-navigate / will-redirect: only the app origin; an https link elsewhere goes to the
 * browser. New windows: never; https links go to the browser. No <webview>.
 */
export function guardWebContents(contents: WebContentsLike, appOrigin: () => string, openExternal: (url: string) => void): void {
  const guard = (event: NavigationEventLike, url: string) => {
    const target = event.url ?? url;
    const decision = decideNavigation(target, appOrigin());
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.openExternally) openExternal(target);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', (event, url) => {
    // A redirect is never a user's click: just refuse leaving the origin.
    if (!isAppUrl(event.url ?? url, appOrigin())) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (decideWindowOpen(url).openExternally) openExternal(url);
    return { action: 'deny' };
  });
}

/** Permissions the page may have: writing to the clipboard (the "copy API key" button). */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, appOrigin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && typeof requestingUrl === 'string' && isAppUrl(requestingUrl, appOrigin);
}

export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: ResponseHeaders },
        callback: (response: { responseHeaders?: ResponseHeaders }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(
    handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string, requestingOrigin: string) => boolean): void;
}

/** CSP on every app-origin response; every permission request denied but the clipboard write. */
export function guardSession(session: SessionLike, appOrigin: () => string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.url, details.responseHeaders, appOrigin()) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, appOrigin()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, appOrigin()));
}
