/**
 * Whether a local time of day falls in a target's quiet hours ("22:00"–"07:00" wraps
 * midnight). Events in quiet hours are not sent to that target: a phone stays silent at night.
 */
export function inQuietHours(quiet: { start: string; end: string } | null, localMinutes: number): boolean {
  if (!quiet) return false;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  if (start === end) return false;
  return start < end ? localMinutes >= start && localMinutes < end : localMinutes >= start || localMinutes < end;
}

export const localMinutesOf = (ms: number): number => {
  const d = new Date(ms);
  return d.getHours() * 60 + d.getMinutes();
};
