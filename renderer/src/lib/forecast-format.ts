/** Words for the queue forecast and the servers' learned speed. */

// One formatter each, made once: toLocale*String with options builds a new one per call,
// which is most of a queue re-render when every row shows a start time.
let formats: Record<'time' | 'timeSeconds' | 'weekday' | 'dayMonth', Intl.DateTimeFormat> | null = null;
function fmt() {
  formats ??= {
    time: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
    timeSeconds: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    weekday: new Intl.DateTimeFormat(undefined, { weekday: 'short' }),
    dayMonth: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }),
  };
  return formats;
}

/** "14:05" today (with seconds when it is minutes away), "Tue 14:05" within a week, else with the date. */
export function clockTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const soon = at.getTime() - now < 10 * 60_000;
  const time = (soon ? fmt().timeSeconds : fmt().time).format(at);
  if (at.toDateString() === new Date(now).toDateString()) return time;
  const days = (at.getTime() - now) / 86_400_000;
  return days < 6 ? `${fmt().weekday.format(at)} ${time}` : `${fmt().dayMonth.format(at)} ${time}`;
}

/** When a waiting job should start, as a short phrase: "next", "in 40 s", "in 12 min", else the clock time. */
export function startsIn(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return '';
  if (ms < 1_000) return 'next';
  if (ms < 60_000) return `in ${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `in ${Math.round(ms / 60_000)} min`;
  return `at ${clockTime(iso, now)}`;
}

/**
 * A server's speed as people quote it: iterations per second at 1024×1024 (one megapixel,
 * the size SDXL and Flux are used at). The engine measures steps per second per megapixel.
 */
export function speedLabel(megapixelStepsPerSecond: number | null): string {
  if (megapixelStepsPerSecond === null || !(megapixelStepsPerSecond > 0)) return 'speed not measured yet';
  const at1024 = megapixelStepsPerSecond / 1.048576;
  return `${at1024 >= 10 ? Math.round(at1024) : at1024 >= 0.1 ? at1024.toFixed(1) : at1024.toFixed(2)} it/s at 1024²`;
}

export function loadTimeLabel(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 100) return 'under 0.1 s';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
