/** How the API keys panel names permissions and times. */
import type { ApiKeyPermission } from '../../api/types.ts';

export const PERMISSION_INFO: Record<ApiKeyPermission, { label: string; description: string }> = {
  submit: { label: 'Submit jobs', description: 'Queue generations; cancel its own jobs.' },
  read: { label: 'Read', description: 'Queue, job status, images, servers, events.' },
  admin: { label: 'Admin', description: 'Everything, including servers, keys and settings.' },
};
export const PERMISSIONS = Object.keys(PERMISSION_INFO) as ApiKeyPermission[];
export const DEFAULT_PERMISSIONS: ApiKeyPermission[] = ['submit', 'read'];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "Used 3 hours ago", "Never used". */
export function lastUsedLabel(iso: string | null, now = Date.now()): string {
  if (!iso) return 'Never used';
  const seconds = (Date.parse(iso) - now) / 1000;
  const abs = Math.abs(seconds);
  if (abs < 60) return 'Used just now';
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] = abs < 3600 ? [seconds / 60, 'minute']
    : abs < 86_400 ? [seconds / 3600, 'hour'] : abs < 2_592_000 ? [seconds / 86_400, 'day'] : [seconds / 2_592_000, 'month'];
  return `Used ${relative.format(Math.round(value), unit)}`;
}

export function dateLabel(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
