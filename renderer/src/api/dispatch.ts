/** What smart dispatch learned (speeds, model loads) and the queue forecast, over the app's ApiClient. */
import type { DispatchStatsResponse } from '../../../shared/dispatch.ts';
import { useApi } from './client.ts';

export function dispatchApi() {
  const api = useApi();
  return {
    /** With `forecast`, the first that many waiting jobs' expected start and end too. */
    stats: (forecast = 0) => api.request<DispatchStatsResponse>('GET', '/api/v1/queue/dispatch-stats', { query: { forecast: forecast || undefined } }),
  };
}
