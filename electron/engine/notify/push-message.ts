import type { NotifyPayload } from './notify-payload.ts';
import type { PushMessage } from './push-url.ts';

/** The title and text a person reads for each event on a phone or in a chat. */
export function pushText(payload: NotifyPayload): { title: string; body: string } {
  const job = payload.job;
  const prompt = job ? job.prompt.slice(0, 200) : '';
  const data = (payload.data ?? {}) as Record<string, any>;
  switch (payload.event) {
    case 'job.finished': return { title: 'Job finished', body: `${prompt}${job?.images.length ? ` (${job.images.length} image${job.images.length === 1 ? '' : 's'})` : ''}` };
    case 'job.failed': return { title: 'Job failed', body: `${prompt}\n${job?.error ?? ''}`.trim() };
    case 'batch.finished': {
      const failed = data.failed ? `, ${data.failed} failed` : '';
      return { title: 'Batch finished', body: `${data.name ?? 'Grid'}: ${data.completed ?? 0} of ${data.job_count ?? 0} jobs done${failed}.` };
    }
    case 'queue.drained': {
      const failed = data.failed ? `, ${data.failed} failed` : '';
      return { title: 'Queue done', body: `${data.finished ?? 0} job${data.finished === 1 ? '' : 's'} finished${failed}.` };
    }
    case 'server.offline': return { title: 'Server offline', body: `${data.server?.alias ?? 'A server'} went offline.` };
    case 'server.online': return { title: 'Server back online', body: `${data.server?.alias ?? 'A server'} is back online.` };
    case 'download.finished': return { title: 'Download finished', body: String(data.download?.file_name ?? data.download?.name ?? 'A model download finished.') };
    case 'test': return { title: 'StableQueue test', body: 'Notifications reach you here.' };
  }
}

export function pushMessage(payload: NotifyPayload, json: string, image: PushMessage['image']): PushMessage {
  return { ...pushText(payload), clickUrl: payload.job?.url ?? null, image, imageUrl: payload.job?.images[0]?.thumbnail_url ?? null, jobId: payload.job?.id ?? null, json };
}
