/**
 * "waits until 23:00" for a job with a start time still ahead: the time alone when it is
 * today, else with the day. Null when the job may start as soon as its turn comes.
 */
export function waitsUntilLabel(notBefore: string | null | undefined, now = Date.now()): string | null {
  if (!notBefore) return null;
  const at = new Date(notBefore);
  if (Number.isNaN(at.getTime()) || at.getTime() <= now) return null;
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay ? `waits until ${time}` : `waits until ${at.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}

/** An ISO time as the value of an <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value back as ISO with its offset ('' = no start time). */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
