import { inQuietHours } from '../notify/quiet-hours.ts';

/**
 * A server's allowed hours ("23:00-07:00", wrapping midnight) in its own time zone: outside
 * them it takes no new job (a running one finishes). The same daily-window rule as a
 * notification target's quiet hours.
 */

export interface HoursWindow {
  start: string;
  end: string;
}

export function parseAllowedHours(text: string | null): HoursWindow | null {
  if (!text) return null;
  const [start, end] = text.split('-');
  return start && end ? { start, end } : null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since midnight at `ms` in the time zone (null: this machine's). */
export function minutesInZone(ms: number, timeZone: string | null): number {
  const key = timeZone ?? '';
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) });
    formatters.set(key, format);
  }
  const parts = format.formatToParts(new Date(ms));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

/** A time zone name Intl knows (checked when a server is saved). */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function insideHours(window: HoursWindow | null, ms: number, timeZone: string | null): boolean {
  if (!window || window.start === window.end) return true;
  return inQuietHours(window, minutesInZone(ms, timeZone));
}

/** When the window next opens, as epoch ms (to the minute), for a wake-up and "waits until". */
export function nextOpening(window: HoursWindow, ms: number, timeZone: string | null): number {
  const startMinutes = Number(window.start.slice(0, 2)) * 60 + Number(window.start.slice(3, 5));
  const now = minutesInZone(ms, timeZone);
  const ahead = (startMinutes - now + 1440) % 1440 || 1440;
  const minuteStart = ms - (ms % 60_000);
  return minuteStart + ahead * 60_000;
}
