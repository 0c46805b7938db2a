import { EventSource } from 'eventsource';

/** Collects Server-Sent Events from StableQueue's /api/v1/events. */
const JOB_AND_SERVER_EVENTS = ['job.created', 'job.updated', 'job.progress', 'job.finished', 'job.deleted', 'queue.state', 'server.status', 'models.updates'];

export function collectEvents(base: string, types: readonly string[] = JOB_AND_SERVER_EVENTS): { events: { type: string; data: any }[]; close(): void; ready: Promise<void> } {
  const events: { type: string; data: any }[] = [];
  const source = new EventSource(`${base}/api/v1/events`);
  const ready = new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (error) => reject(error);
  });
  for (const type of types) {
    source.addEventListener(type, (event) => events.push({ type, data: JSON.parse((event as MessageEvent).data) }));
  }
  return { events, ready, close: () => source.close() };
}
