import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY, withContentSecurityPolicy } from '../../../electron/main/content-security-policy.ts';
import { registerIpcHandlers, UntrustedSenderError, type IpcEventLike, type ShellActions } from '../../../electron/main/ipc-handlers.ts';
import { decideNavigation, decideWindowOpen, isAllowedExternalUrl, isAppUrl, isTrustedSender } from '../../../electron/main/url-policy.ts';
import { guardSession, guardWebContents, isPermissionAllowed, secureWebPreferences } from '../../../electron/main/window-security.ts';
import { IPC_CHANNELS } from '../../../electron/preload/desktop-bridge.ts';

const APP = 'http://127.0.0.1:51234';

const DENIED = [
  'http://127.0.0.1:51235/',             // another port: another origin
  'https://127.0.0.1:51234/',            // another scheme
  'http://localhost:51234/',             // another host name for the same server
  'http://127.0.0.1.evil.example:51234/',
  'http://evil.example/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'about:blank',
  'devtools://devtools/bundled/inspector.html',
  'chrome://settings',
  'not a url',
  '',
];

describe('navigation allow-list', () => {
  it('allows the app origin, any path, query or hash', () => {
    for (const url of [`${APP}/`, `${APP}/#/queue?job=1`, `${APP}/login?next=%2F`, `${APP}`]) {
      expect(isAppUrl(url, APP), url).toBe(true);
      expect(decideNavigation(url, APP), url).toEqual({ action: 'allow' });
    }
  });

  it('denies every other origin and scheme', () => {
    for (const url of DENIED) {
      expect(isAppUrl(url, APP), url).toBe(false);
      expect(decideNavigation(url, APP).action, url).toBe('deny');
    }
  });

  it('opens only https links outside, never other schemes', () => {
    expect(decideNavigation('https://civitai.com/models/1', APP)).toEqual({ action: 'deny', openExternally: true });
    expect(decideNavigation('http://civitai.com/models/1', APP)).toEqual({ action: 'deny', openExternally: false });
    expect(decideWindowOpen('https://github.com/x/y')).toEqual({ openExternally: true });
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'smb://host/share', 'ms-settings:', 'https://user:pw@example.com/']) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
      expect(decideWindowOpen(url), url).toEqual({ openExternally: false });
    }
  });
});

describe('IPC sender allow-list', () => {
  it('trusts frames on the app origin only', () => {
    expect(isTrustedSender(`${APP}/#/settings`, APP)).toBe(true);
    for (const url of DENIED) expect(isTrustedSender(url, APP), url).toBe(false);
    expect(isTrustedSender(null, APP)).toBe(false);
    expect(isTrustedSender(undefined, APP)).toBe(false);
  });

  function fakeIpcMain() {
    const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
    const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
    return {
      handlers,
      listeners,
      handle: (channel: string, fn: (event: IpcEventLike, ...args: unknown[]) => unknown) => { handlers.set(channel, fn); },
      on: (channel: string, fn: (event: IpcEventLike, ...args: unknown[]) => void) => { listeners.set(channel, fn); },
    };
  }
  function fakeActions(): ShellActions {
    const prefs = { startAtLogin: false, startMinimized: false };
    return {
      bootstrap: vi.fn(() => ({ apiBase: APP, token: 't0k3n', platform: 'linux' as const, version: '0.1.0', preferences: prefs })),
      openOutputsFolder: vi.fn(async () => {}),
      setStartAtLogin: vi.fn(async (v: boolean) => ({ ...prefs, startAtLogin: v })),
      setStartMinimized: vi.fn(async (v: boolean) => ({ ...prefs, startMinimized: v })),
    };
  }
  const from = (url: string | null): IpcEventLike => ({ senderFrame: url === null ? null : { url } });

  it('registers exactly the bridge channels', () => {
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, () => APP, fakeActions());
    expect([...ipc.listeners.keys()]).toEqual([IPC_CHANNELS.bootstrap]);
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).filter((c) => c !== IPC_CHANNELS.bootstrap).sort());
  });

  it('answers the trusted window and refuses everyone else', async () => {
    const ipc = fakeIpcMain();
    const actions = fakeActions();
    registerIpcHandlers(ipc, () => APP, actions);

    const good = from(`${APP}/#/settings`);
    ipc.listeners.get(IPC_CHANNELS.bootstrap)!(good);
    expect(good.returnValue).toMatchObject({ apiBase: APP, token: 't0k3n' });

    for (const url of [...DENIED, null]) {
      const bad = from(url);
      ipc.listeners.get(IPC_CHANNELS.bootstrap)!(bad);
      expect(bad.returnValue, String(url)).toBeNull();
      for (const [channel, handler] of ipc.handlers) {
        expect(() => handler(bad, true), `${channel} from ${url}`).toThrow(UntrustedSenderError);
      }
    }
    expect(actions.openOutputsFolder).not.toHaveBeenCalled();
    expect(actions.setStartAtLogin).not.toHaveBeenCalled();

    await ipc.handlers.get(IPC_CHANNELS.openOutputsFolder)!(good);
    expect(actions.openOutputsFolder).toHaveBeenCalledOnce();
    expect(await ipc.handlers.get(IPC_CHANNELS.setStartAtLogin)!(good, true)).toMatchObject({ startAtLogin: true });
  });

  it('reads the app origin at each call (it is known only once the engine listens)', () => {
    const ipc = fakeIpcMain();
    let origin = 'http://127.0.0.1:0';
    registerIpcHandlers(ipc, () => origin, fakeActions());
    const event = from(`${APP}/`);
    ipc.listeners.get(IPC_CHANNELS.bootstrap)!(event);
    expect(event.returnValue).toBeNull();
    origin = APP;
    ipc.listeners.get(IPC_CHANNELS.bootstrap)!(event);
    expect(event.returnValue).not.toBeNull();
  });

  it('checks arguments: booleans only', async () => {
    const ipc = fakeIpcMain();
    const actions = fakeActions();
    registerIpcHandlers(ipc, () => APP, actions);
    const good = from(`${APP}/`);
    for (const channel of [IPC_CHANNELS.setStartAtLogin, IPC_CHANNELS.setStartMinimized]) {
      for (const bad of ['yes', 1, null, { enabled: true }]) {
        expect(() => ipc.handlers.get(channel)!(good, bad), `${channel} ${JSON.stringify(bad)}`).toThrow(TypeError);
      }
    }
    expect(actions.setStartAtLogin).not.toHaveBeenCalled();
    expect(actions.setStartMinimized).not.toHaveBeenCalled();
    expect(await ipc.handlers.get(IPC_CHANNELS.setStartMinimized)!(good, false)).toMatchObject({ startMinimized: false });
  });
});

describe('window guards (stubbed webContents and session)', () => {
  it('web preferences: isolated, sandboxed, no Node', () => {
    expect(secureWebPreferences('/p/preload.cjs', { devTools: false })).toMatchObject({
      preload: '/p/preload.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, webSecurity: true,
    });
  });

  function fakeContents() {
    const listeners = new Map<string, (event: { preventDefault(): void; url?: string }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
    return {
      listeners,
      open: (url: string) => openHandler!({ url }),
      on: (name: string, fn: (event: { preventDefault(): void; url?: string }, url: string) => void) => { listeners.set(name, fn); },
      setWindowOpenHandler: (fn: (details: { url: string }) => { action: 'deny' }) => { openHandler = fn; },
    };
  }

  it('will-navigate stays on the app origin; https elsewhere opens outside; window.open always denied', () => {
    const contents = fakeContents();
    const openExternal = vi.fn();
    guardWebContents(contents, () => APP, openExternal);
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn(), url };
      contents.listeners.get('will-navigate')!(event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate(`${APP}/#/gallery`)).toBe(false);
    for (const url of DENIED) expect(navigate(url), url).toBe(true);
    expect(navigate('https://civitai.com/models/5')).toBe(true);
    // Links leave the app only over https (here the https one of DENIED, then civitai).
    expect(openExternal.mock.calls).toEqual([['https://127.0.0.1:51234/'], ['https://civitai.com/models/5']]);

    expect(contents.open(`${APP}/#/queue`)).toEqual({ action: 'deny' });
    expect(contents.open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(contents.open('https://github.com/')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls.at(-1)).toEqual(['https://github.com/']);
    expect(openExternal).toHaveBeenCalledTimes(3);

    const redirect = { preventDefault: vi.fn(), url: 'https://evil.example/' };
    contents.listeners.get('will-redirect')!(redirect, redirect.url);
    expect(redirect.preventDefault).toHaveBeenCalled();
    const attach = { preventDefault: vi.fn() };
    contents.listeners.get('will-attach-webview')!(attach, '');
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('adds the CSP to app responses only, keeping an engine CSP', () => {
    expect(withContentSecurityPolicy(`${APP}/`, { 'content-type': ['text/html'] }, APP)).toEqual({
      'content-type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
    expect(withContentSecurityPolicy(`${APP}/`, { 'content-security-policy': ["default-src 'none'"] }, APP)).toEqual({
      'content-security-policy': ["default-src 'none'", CONTENT_SECURITY_POLICY],
    });
    expect(withContentSecurityPolicy('https://civitai.com/x', { a: 'b' }, APP)).toEqual({ a: 'b' });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
  });

  it('the session handlers set the CSP and deny permissions but the clipboard write', () => {
    let headers: ((d: { url: string; responseHeaders?: Record<string, string | string[]> }, cb: (r: { responseHeaders?: Record<string, string | string[]> }) => void) => void) | null = null;
    let request: ((wc: unknown, permission: string, cb: (granted: boolean) => void, details: { requestingUrl?: string }) => void) | null = null;
    let check: ((wc: unknown, permission: string, origin: string) => boolean) | null = null;
    guardSession({
      webRequest: { onHeadersReceived: (fn) => { headers = fn; } },
      setPermissionRequestHandler: (fn) => { request = fn; },
      setPermissionCheckHandler: (fn) => { check = fn; },
    }, () => APP);
    const answered = vi.fn();
    headers!({ url: `${APP}/index.html`, responseHeaders: {} }, answered);
    expect(answered.mock.calls[0]![0].responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);

    const grant = (permission: string, url: string) => {
      let granted: boolean | null = null;
      request!(null, permission, (g) => { granted = g; }, { requestingUrl: url });
      return granted;
    };
    expect(grant('clipboard-sanitized-write', `${APP}/`)).toBe(true);
    expect(grant('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem']) {
      expect(grant(permission, `${APP}/`), permission).toBe(false);
    }
    expect(check!(null, 'clipboard-sanitized-write', APP)).toBe(true);
    expect(check!(null, 'media', APP)).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined, APP)).toBe(false);
  });
});
