/** Batches and grids over the app's ApiClient: make one (or count it: dry run), follow it, act on all its jobs. */
import type { BatchAction, BatchActionResult, BatchCreated, BatchList, BatchRequest, BatchView } from '../../../shared/batches.ts';
import { useApi } from './client.ts';

const enc = encodeURIComponent;

export function batchesApi() {
  const api = useApi();
  return {
    create: (body: BatchRequest, signal?: AbortSignal) => api.request<BatchCreated>('POST', '/api/v1/batches', { body, signal }),
    list: (limit = 50) => api.request<BatchList>('GET', '/api/v1/batches', { query: { limit } }),
    get: (id: string) => api.request<BatchView>('GET', `/api/v1/batches/${enc(id)}`),
    act: (id: string, action: BatchAction) => api.request<BatchActionResult>('POST', `/api/v1/batches/${enc(id)}/${action}`),
    /** A contact sheet's URL for an <img> (carries the desktop launch token when there is one). */
    imageUrl: (path: string) => api.url(path),
  };
}
