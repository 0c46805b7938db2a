import type { JobStatus } from '../../../shared/jobs.ts';
import type { ServerHealth } from '../../../shared/servers.ts';

export type Tone = 'accent' | 'success' | 'warning' | 'danger' | 'info' | 'neutral';

export const JOB_STATUS: Record<JobStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Queued', tone: 'neutral' },
  held: { label: 'Held', tone: 'warning' },
  downloading_resources: { label: 'Downloading', tone: 'info' },
  processing: { label: 'Running', tone: 'accent' },
  completed: { label: 'Done', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
};

export const SERVER_STATUS: Record<ServerHealth, { label: string; tone: Tone }> = {
  online: { label: 'Online', tone: 'success' },
  busy: { label: 'Busy', tone: 'accent' },
  offline: { label: 'Offline', tone: 'danger' },
  unknown: { label: 'Checking', tone: 'neutral' },
  disabled: { label: 'Disabled', tone: 'neutral' },
};
