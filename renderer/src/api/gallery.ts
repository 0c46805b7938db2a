/** The gallery's organising endpoints (ratings, collections, bulk actions, zip, sources, trash) over the app's ApiClient. */
import type {
  GalleryBulkRequest,
  GalleryBulkResult,
  GalleryCollection,
  GalleryImage,
  GallerySource,
  GallerySourceInput,
  GalleryTrashList,
  ImagePatch,
} from '../../../shared/images.ts';
import { useApi } from './client.ts';

export function galleryApi() {
  const api = useApi();
  return {
    patchImage: (id: number, patch: ImagePatch) => api.request<GalleryImage>('PATCH', `/api/v1/images/${id}`, { body: patch }),
    bulk: (body: GalleryBulkRequest) => api.request<GalleryBulkResult>('POST', '/api/v1/gallery/bulk', { body }),
    /** The originals of these images as one zip, streamed by the engine. */
    downloadZip: (ids: number[]) => api.requestFile('POST', '/api/v1/gallery/download', { body: { ids } }),

    collections: () => api.request<GalleryCollection[]>('GET', '/api/v1/gallery/collections'),
    createCollection: (name: string) => api.request<GalleryCollection>('POST', '/api/v1/gallery/collections', { body: { name } }),
    renameCollection: (id: number, name: string) => api.request<GalleryCollection>('PATCH', `/api/v1/gallery/collections/${id}`, { body: { name } }),
    deleteCollection: (id: number) => api.request<unknown>('DELETE', `/api/v1/gallery/collections/${id}`),

    sources: () => api.request<GallerySource[]>('GET', '/api/v1/gallery/sources'),
    addSource: (body: GallerySourceInput) => api.request<GallerySource>('POST', '/api/v1/gallery/sources', { body }),
    removeSource: (id: number) => api.request<unknown>('DELETE', `/api/v1/gallery/sources/${id}`),
    rescanSource: (id: number) => api.request<GallerySource>('POST', `/api/v1/gallery/sources/${id}/rescan`),

    trash: () => api.request<GalleryTrashList>('GET', '/api/v1/gallery/trash'),
    restore: (id: number) => api.request<GalleryImage>('POST', `/api/v1/gallery/trash/${id}/restore`),
    purge: (id: number) => api.request<unknown>('DELETE', `/api/v1/gallery/trash/${id}`),
    /** Delete one image; an indexed outside file is only hidden unless `deleteFile`. */
    deleteImage: (id: number, deleteFile = false) =>
      api.request<unknown>('DELETE', `/api/v1/images/${id}`, { query: { delete_file: deleteFile ? true : undefined } }),
  };
}

/** Hands a downloaded file to the browser's save flow. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
