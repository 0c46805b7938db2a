/**
 * A browser notification when a job ends while the tab is hidden (the desktop shell sends
 * native ones itself, so nothing here runs in the desktop window). Follows the
 * "Notify when jobs finish" switch, the events ticked for this app, and the browser's permission.
 */
import { onBeforeUnmount } from 'vue';
import { truncate } from '../lib/format.ts';
import { useLive } from '../stores/live.ts';
import { useSettings } from '../stores/settings.ts';

const BODY_CHARS = 120;

/** Whether this page can show browser notifications at all (not in the desktop app). */
function browserNotificationsApply(): boolean {
  return !window.stablequeue && typeof Notification !== 'undefined';
}

/** When the user turns notifications on in a browser: ask for permission once, so a hidden tab can notify. */
export function requestBrowserNotificationPermission(): void {
  if (browserNotificationsApply() && Notification.permission === 'default') void Notification.requestPermission();
}

export function useBrowserNotifications(): void {
  const settings = useSettings();
  const off = useLive().on((event) => {
    if (event.type !== 'job.finished' || !browserNotificationsApply()) return;
    const status = event.job.status;
    const kind = status === 'completed' ? 'job.finished' : status === 'failed' ? 'job.failed' : null;
    if (!kind || !settings.settings.notifications_enabled) return;
    if (!(settings.settings.desktop_notify_events ?? ['job.finished', 'job.failed']).includes(kind)) return;
    if (Notification.permission !== 'granted' || !document.hidden) return;
    try {
      new Notification(kind === 'job.finished' ? 'Job finished' : 'Job failed', {
        body: truncate(event.job.positive_prompt || event.job.mobilesd_job_id, BODY_CHARS),
        tag: event.job.mobilesd_job_id,
      });
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  });
  onBeforeUnmount(off);
}
