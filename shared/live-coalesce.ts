/**
 * Which live events a later event in the same burst makes moot, for the server (which
 * writes a burst to the stream as one chunk) and the UI (which applies a burst in one
 * go): a job.progress followed by another job.progress of the same job, a job.updated
 * followed by another job.updated or job.finished of the same job (nothing else about
 * that job in between: each carries the whole snapshot or the whole progress), and a
 * queue.state followed by another queue.state (each carries the whole state). Every other
 * event is kept, in its order.
 */
import type { EngineEvent } from './events.ts';

type Kind = 'snapshot' | 'progress' | 'other';

function jobOf(event: EngineEvent): { id: string; kind: Kind } | null {
  switch (event.type) {
    case 'job.progress':
      return { id: event.job_id, kind: 'progress' };
    case 'job.updated':
    case 'job.finished':
      return { id: event.job.mobilesd_job_id, kind: 'snapshot' };
    case 'job.created':
      return { id: event.job.mobilesd_job_id, kind: 'other' };
    case 'job.deleted':
      return { id: event.job_id, kind: 'other' };
    default:
      return null;
  }
}

/** The events of one batch without the superseded ones, in their original order. */
export function coalesce(events: readonly EngineEvent[]): EngineEvent[] {
  const nextKindOf = new Map<string, Kind>();
  const kept: EngineEvent[] = [];
  let laterQueueState = false;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'queue.state') {
      if (laterQueueState) continue;
      laterQueueState = true;
    }
    const job = jobOf(event);
    if (job) {
      const later = nextKindOf.get(job.id);
      nextKindOf.set(job.id, job.kind);
      // only job.updated and job.progress give way; created/finished/deleted carry meaning of their own
      const supersedable = event.type === 'job.updated' || event.type === 'job.progress';
      if (supersedable && later === job.kind) continue;
    }
    kept.push(event);
  }
  return kept.reverse();
}
