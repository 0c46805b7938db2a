/** The queue's power tools over the app's ApiClient: hold and release, edit a waiting job, bulk actions, export and import. */
import type { EditJobRequest, JobStatusResponse, JobSummary } from '../../../shared/jobs.ts';
import type { BulkRequest, BulkResponse } from '../../../shared/queue-bulk.ts';
import type { QueueImportResponse } from '../../../shared/queue-export.ts';
import { useApi } from './client.ts';

const enc = encodeURIComponent;

export function queueToolsApi() {
  const api = useApi();
  return {
    hold: (id: string) => api.request<JobSummary>('POST', `/api/v1/queue/jobs/${enc(id)}/hold`),
    release: (id: string) => api.request<JobSummary>('POST', `/api/v1/queue/jobs/${enc(id)}/release`),
    /** Changes a pending or held job; answers with its details as now stored. */
    edit: (id: string, body: EditJobRequest) => api.request<JobStatusResponse>('PATCH', `/api/v1/queue/jobs/${enc(id)}`, { body }),
    bulk: (body: BulkRequest) => api.request<BulkResponse>('POST', '/api/v1/queue/bulk', { body }),
    exportQueue: (includeFinished: boolean) => api.requestFile('GET', '/api/v1/queue/export', { query: { include_finished: includeFinished } }),
    importQueue: (doc: unknown) => api.request<QueueImportResponse>('POST', '/api/v1/queue/import', { body: doc }),
  };
}
