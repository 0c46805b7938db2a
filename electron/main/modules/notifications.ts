/**
 * Native notifications for finished jobs and a drained queue, as the user chose them in
 * Settings (engine settings, the same ones the browser UI saves), with the job's first
 * image as the icon. A click opens the job in the window.
 */
import type { Engine } from '../../engine/engine-types.ts';
import { appIconPath } from '../desktop-paths.ts';
import { notificationThumbnail, type PngConverter } from '../notification-icon.ts';
import { desktopWants, JobNotifier, routeForNotification, type NotificationPayload, type TimerApi } from '../job-notifications.ts';
import { watchQueue } from '../queue-watch.ts';
import type { ShellContext } from '../shell-context.ts';
import type { EngineHost } from './engine-host.ts';
import type { MainWindow } from './main-window.ts';

/** The preference key notifications had when they were a desktop-only switch. */
export const LEGACY_NOTIFICATIONS_KEY = 'notificationsEnabled';

/** The slice of electron-store the migration needs (the old key is no longer in the typed preferences). */
export interface LegacyPreferences {
  has(key: string): boolean;
  get(key: string): unknown;
  delete(key: string): void;
}

/**
 * Notifications were once a desktop preference with no switch in the UI, so only an "off"
 * in it can be the user's choice: that moves into the engine setting. The old key then goes.
 */
export function migrateNotificationPreference(legacy: LegacyPreferences, engine: Pick<Engine, 'updateSettings'>): void {
  if (!legacy.has(LEGACY_NOTIFICATIONS_KEY)) return;
  if (legacy.get(LEGACY_NOTIFICATIONS_KEY) === false) engine.updateSettings({ notifications_enabled: false });
  legacy.delete(LEGACY_NOTIFICATIONS_KEY);
}

export interface NotificationsContext extends ShellContext {
  readonly host: EngineHost;
  readonly window: Pick<MainWindow, 'show'>;
  readonly legacyPreferences: LegacyPreferences;
  readonly timers?: TimerApi;
  readonly toPng?: PngConverter;
}

export function enable(context: NotificationsContext): JobNotifier {
  const { electron: { Notification, nativeImage }, paths, logger, host: { engine }, window } = context;
  migrateNotificationPreference(context.legacyPreferences, engine);
  // Kept referenced until closed: a garbage-collected Notification loses its click handler.
  const live = new Set<InstanceType<typeof Notification>>();

  async function show(payload: NotificationPayload): Promise<void> {
    const thumbnail = await notificationThumbnail(engine, payload.imageId, context.toPng);
    const icon = thumbnail ? nativeImage.createFromBuffer(thumbnail) : nativeImage.createFromPath(appIconPath(paths.iconsDir));
    const notification = new Notification({ title: payload.title, body: payload.body, icon: icon.isEmpty() ? undefined : icon });
    live.add(notification);
    const forget = () => live.delete(notification);
    notification.on('click', () => { forget(); window.show(routeForNotification(payload)); });
    notification.on('close', forget);
    notification.show();
  }

  const notifier = new JobNotifier({
    wants: (kind) => Notification.isSupported() && desktopWants(engine.settings(), kind),
    notify: (payload) => {
      show(payload).catch((error: unknown) => logger.warn({ err: error, kind: payload.kind }, 'notification failed'));
    },
    timers: context.timers,
  });
  engine.onEvent((event) => notifier.handleEvent(event));
  watchQueue(engine, (snapshot) => notifier.handleQueueSnapshot(snapshot), context.timers);
  return notifier;
}
