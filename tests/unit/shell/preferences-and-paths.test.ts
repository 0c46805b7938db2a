import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { headlessConfigFromEnv } from '../../../electron/headless-config.ts';
import { appIconPath, resolveDesktopPaths, trayIconPath } from '../../../electron/main/desktop-paths.ts';
import { choosePort, createLaunchToken } from '../../../electron/main/engine-access.ts';
import { notificationThumbnail } from '../../../electron/main/notification-icon.ts';
import { DEFAULT_PREFERENCES, DEFAULT_WINDOW_SIZE, desktopPreferences, restoreWindowBounds, type PreferenceStore, type ShellPreferences } from '../../../electron/main/preferences.ts';

describe('window bounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
  it('restores saved bounds that are on a display', () => {
    expect(restoreWindowBounds({ x: 100, y: 80, width: 1000, height: 700, maximized: true }, screen))
      .toEqual({ x: 100, y: 80, width: 1000, height: 700, maximized: true });
  });
  it('drops the position when its display is gone, keeps the size', () => {
    expect(restoreWindowBounds({ x: 2500, y: 100, width: 1000, height: 700 }, screen)).toEqual({ width: 1000, height: 700, maximized: false });
    expect(restoreWindowBounds({ x: -990, y: 100, width: 1000, height: 700 }, screen)).toEqual({ width: 1000, height: 700, maximized: false });
  });
  it('a second monitor on the left counts', () => {
    const two = [...screen, { x: -1280, y: 0, width: 1280, height: 1024 }];
    expect(restoreWindowBounds({ x: -1200, y: 10, width: 800, height: 600 }, two)).toMatchObject({ x: -1200, y: 10 });
  });
  it('falls back to the default size, and never below the minimum', () => {
    expect(restoreWindowBounds(null, screen)).toEqual({ ...DEFAULT_WINDOW_SIZE });
    expect(restoreWindowBounds({ width: Number.NaN, height: 5 }, screen)).toEqual({ ...DEFAULT_WINDOW_SIZE });
    expect(restoreWindowBounds({ width: 10, height: 10 }, screen)).toEqual({ width: 380, height: 560, maximized: false });
  });
  it('hands the renderer only the two switches (notifications are an engine setting)', () => {
    const values: ShellPreferences = { ...DEFAULT_PREFERENCES, startAtLogin: true, windowBounds: { width: 1, height: 1 }, lastPort: 4000 };
    const store: PreferenceStore = { get: (key) => values[key], set: vi.fn() };
    expect(desktopPreferences(store)).toEqual({ startAtLogin: true, startMinimized: false });
  });
});

describe('desktop paths', () => {
  const inputs = {
    userData: '/home/ann/.config/StableQueue',
    pictures: '/home/ann/Pictures',
    appPath: '/opt/StableQueue/resources/app.asar',
    isPackaged: true,
    resourcesPath: '/opt/StableQueue/resources',
  };
  it('engine data under userData/data, images in Pictures, icons unpacked beside the asar', () => {
    const paths = resolveDesktopPaths({ ...inputs, env: {} }, '/opt/StableQueue/resources/app.asar/dist/electron/main');
    expect(paths).toEqual({
      dataDir: '/home/ann/.config/StableQueue/data',
      outputsDir: '/home/ann/Pictures/StableQueue',
      checkpointPath: null,
      loraPath: null,
      galleryImportPaths: [],
      logFile: '/home/ann/.config/StableQueue/logs/stablequeue.log',
      uiDir: '/opt/StableQueue/resources/app.asar/dist/renderer',
      iconsDir: '/opt/StableQueue/resources/icons',
      preloadPath: '/opt/StableQueue/resources/app.asar/dist/electron/preload/index.cjs',
    });
  });
  it('the headless variables move them', () => {
    const paths = resolveDesktopPaths({
      ...inputs,
      isPackaged: false,
      appPath: '/repo',
      env: {
        STABLEQUEUE_DATA_DIR: '/srv/sq', STABLE_DIFFUSION_SAVE_PATH: '/srv/out', CHECKPOINT_PATH: '/m/ckpt', LORA_PATH: '/m/lora',
        GALLERY_IMPORT_PATHS: ['/pics/forge', ' /pics/comfy ', ''].join(path.delimiter),
      },
    }, '/repo/dist/electron/main');
    expect(paths).toMatchObject({
      dataDir: '/srv/sq', outputsDir: '/srv/out', checkpointPath: '/m/ckpt', loraPath: '/m/lora', iconsDir: '/repo/resources',
      galleryImportPaths: ['/pics/forge', '/pics/comfy'],
    });
    // The same variable means the same folders to the headless server.
    expect(headlessConfigFromEnv({ GALLERY_IMPORT_PATHS: ['/pics/forge', ' /pics/comfy ', ''].join(path.delimiter) }, { uiDir: '/ui', cwd: '/repo' }).galleryImportPaths)
      .toEqual(paths.galleryImportPaths);
    expect(resolveDesktopPaths({ ...inputs, env: { STABLEQUEUE_DATA_DIR: '  ' } }, '/x').dataDir).toBe('/home/ann/.config/StableQueue/data');
  });
  it('the icons named exist in resources/', async () => {
    const dir = path.join(import.meta.dirname, '../../../resources');
    for (const file of [trayIconPath(dir, 'darwin'), trayIconPath(dir, 'win32'), trayIconPath(dir, 'linux'), appIconPath(dir)]) {
      const meta = await sharp(file).metadata();
      expect(meta.format, file).toBe('png');
    }
    expect((await sharp(trayIconPath(dir, 'linux')).metadata()).width).toBe(22);
    expect((await sharp(path.join(dir, 'trayTemplate@2x.png')).metadata()).width).toBe(32);
  });
});

describe('engine access', () => {
  it('a fresh 256-bit token each launch', () => {
    const a = createLaunchToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createLaunchToken()).not.toBe(a);
  });

  it('reuses the last port when free, else asks for any', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    expect(await choosePort(port)).toBe(0);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    expect(await choosePort(port)).toBe(port);
    expect(await choosePort(null)).toBe(0);
    expect(await choosePort(80)).toBe(0);
  });

  it('asks the engine for the thumbnail in-process and makes a PNG of it', async () => {
    const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#8844ee' } }).webp().toBuffer();
    const asked: number[] = [];
    const engine = { thumbnail: async (id: number) => { asked.push(id); return webp; } };
    const png = await notificationThumbnail(engine, 42);
    expect(asked).toEqual([42]);
    const meta = await sharp(png!).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 48 });
  });

  it('no image, an unknown image or an engine error -> null (the app icon is used)', async () => {
    const thumbnail = vi.fn(async () => null);
    expect(await notificationThumbnail({ thumbnail }, null)).toBeNull();
    expect(thumbnail).not.toHaveBeenCalled();
    expect(await notificationThumbnail({ thumbnail }, 1)).toBeNull();
    expect(await notificationThumbnail({ thumbnail: async () => { throw new Error('database closed'); } }, 1)).toBeNull();
    expect(await notificationThumbnail({ thumbnail: async () => Buffer.from('not an image') }, 1)).toBeNull();
  });
});
