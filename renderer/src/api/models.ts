/** Model library, download queue and Civitai browsing: the shapes the UI reads and the calls. */
import type { CivitaiModelResult, CivitaiSearchResponse } from '../../../shared/civitai.ts';
import type { DownloadCheck, DuplicatesResponse } from '../../../shared/model-duplicates.ts';
import type { RenameModelResponse, TrashEntry, TrashList } from '../../../shared/model-management.ts';
import type { UpdateModelResponse, UpdatesResponse } from '../../../shared/model-updates.ts';
import type { ModelCollection } from '../../../shared/model-collections.ts';
import type { ModelUsageList } from '../../../shared/model-usage.ts';
import type { DownloadView, ModelKind, ModelListResponse, ModelView, ScanState } from '../../../shared/models.ts';
import { useApi } from './client.ts';

export interface CivitaiSearchQuery {
  query?: string;
  types?: string[];
  base_models?: string[];
  sort?: string;
  period?: string;
  nsfw?: boolean;
  cursor?: string;
  limit?: number;
}

export interface ModelListQuery {
  kind?: ModelKind;
  base_model?: string;
  q?: string;
  sort?: 'name' | 'size' | 'modified' | 'base_model' | 'usage' | 'recent';
  updates?: boolean;
  favourite?: boolean;
  collection?: number;
  limit?: number;
  offset?: number;
}

/** The model library, downloads and Civitai endpoints, over the app's ApiClient. */
export function modelsApi() {
  const api = useApi();
  return {
    list: (query: ModelListQuery, signal?: AbortSignal) =>
      api.request<ModelListResponse>('GET', '/api/v1/models', { query: { ...query }, signal }),
    scanState: () => api.request<ScanState>('GET', '/api/v1/models/scan'),
    scan: (force = false) => api.request<{ scan: ScanState }>('POST', '/api/v1/models/scan', { body: { force, identify: true } }),
    identify: () => api.request<{ checked: number; found: number; not_found: number; errors: number }>('POST', '/api/v1/models/identify', { body: {} }),
    checkUpdates: () => api.request<{ checked: number; updates: number }>('POST', '/api/v1/models/check-updates'),
    assetUrl: (path: string | null) => api.assetUrl(path),
    civitaiImage: (url: string, width = 450) => api.assetUrl('/api/v1/civitai/image', { url, width }),

    downloads: () => api.request<{ downloads: DownloadView[] }>('GET', '/api/v1/downloads'),
    pause: (id: string) => api.request<DownloadView>('POST', `/api/v1/downloads/${encodeURIComponent(id)}/pause`),
    resume: (id: string) => api.request<DownloadView>('POST', `/api/v1/downloads/${encodeURIComponent(id)}/resume`),
    cancel: (id: string) => api.request<DownloadView>('POST', `/api/v1/downloads/${encodeURIComponent(id)}/cancel`),
    remove: (id: string) => api.request<{ deleted: string }>('DELETE', `/api/v1/downloads/${encodeURIComponent(id)}`),
    clearFinished: () => api.request<{ removed: number }>('POST', '/api/v1/downloads/clear'),

    search: (query: CivitaiSearchQuery, signal?: AbortSignal) =>
      api.request<CivitaiSearchResponse>('GET', '/api/v1/civitai/models', { query: { ...query }, signal }),
    civitaiModel: (id: number) => api.request<CivitaiModelResult>('GET', `/api/v1/civitai/models/${id}`),
    download: (body: { version_id?: number; file_id?: number; url?: string; model_id?: number }) =>
      api.request<{ download: DownloadView; already_installed: boolean; model_id: number | null }>('POST', '/api/v1/civitai/download-model', { body }),
    downloadCheck: (body: { version_id: number; file_id?: number }) => api.request<DownloadCheck>('POST', '/api/v1/civitai/download-check', { body }),
    moveDownload: (id: string, target: { to: 'top' | 'bottom' } | { before: string } | { after: string }) =>
      api.request<{ order: string[] }>('POST', `/api/v1/downloads/${encodeURIComponent(id)}/move`, { body: target }),

    deleteModel: (id: number) => api.request<TrashEntry>('DELETE', `/api/v1/models/${id}`),
    rename: (id: number, relPath: string) => api.request<RenameModelResponse>('PATCH', `/api/v1/models/${id}`, { body: { rel_path: relPath } }),
    trash: () => api.request<TrashList>('GET', '/api/v1/models/trash'),
    restore: (trashId: number) => api.request<ModelView>('POST', `/api/v1/models/trash/${trashId}/restore`),
    duplicates: () => api.request<DuplicatesResponse>('GET', '/api/v1/models/duplicates'),
    updates: () => api.request<UpdatesResponse>('GET', '/api/v1/models/updates'),
    update: (id: number, old: 'keep' | 'trash') => api.request<UpdateModelResponse>('POST', `/api/v1/models/${id}/update`, { body: { old } }),
    usage: (sort: 'jobs' | 'recent' = 'jobs') => api.request<ModelUsageList>('GET', '/api/v1/models/usage', { query: { sort } }),
    setFavourite: (id: number, favourite: boolean) => api.request<ModelView>('PUT', `/api/v1/models/${id}/favourite`, { body: { favourite } }),
    /** The file's sidecar metadata: A1111's `.json` holds "activation text" and "preferred weight". */
    info: (id: number) => api.request<ModelView & { user_metadata: Record<string, unknown> | null }>('GET', `/api/v1/models/${id}/info`),
    collections: () => api.request<{ collections: ModelCollection[] }>('GET', '/api/v1/models/collections'),
    createCollection: (name: string) => api.request<ModelCollection>('POST', '/api/v1/models/collections', { body: { name } }),
    addToCollection: (id: number, modelIds: number[]) => api.request<ModelCollection>('POST', `/api/v1/models/collections/${id}/models`, { body: { model_ids: modelIds } }),
    removeFromCollection: (id: number, modelId: number) => api.request<ModelCollection>('DELETE', `/api/v1/models/collections/${id}/models/${modelId}`),
    deleteCollection: (id: number) => api.request<void>('DELETE', `/api/v1/models/collections/${id}`),
    compatibility: (body: { checkpoint_name: string; loras?: { name: string }[]; vae?: string }) =>
      api.request<{ checkpoint_base_model: string | null; warnings: { kind: string; name: string; base_model: string; checkpoint_base_model: string; message: string }[] }>('POST', '/api/v1/models/compatibility', { body }),
  };
}
