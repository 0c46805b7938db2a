import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { GalleryCollection } from '../../../shared/images.ts';
import { galleryApi } from '../api/gallery.ts';

/** The user's image collections (an image may be in several): listed, created, renamed, deleted. */
export const useGalleryCollections = defineStore('gallery-collections', () => {
  const api = galleryApi();
  const list = ref<GalleryCollection[]>([]);
  const loaded = ref(false);
  /** The engine answered the collections endpoint (older engines have none: the UI hides them). */
  const available = ref(true);

  async function load(): Promise<void> {
    try {
      list.value = await api.collections();
      available.value = true;
    } catch {
      available.value = false;
    } finally {
      loaded.value = true;
    }
  }

  async function create(name: string): Promise<GalleryCollection> {
    const created = await api.createCollection(name.trim());
    list.value = [...list.value, created].sort((a, b) => a.name.localeCompare(b.name));
    return created;
  }

  async function rename(id: number, name: string): Promise<void> {
    const updated = await api.renameCollection(id, name.trim());
    list.value = list.value.map((c) => (c.id === id ? updated : c));
  }

  async function remove(id: number): Promise<void> {
    await api.deleteCollection(id);
    list.value = list.value.filter((c) => c.id !== id);
  }

  const nameOf = (id: number): string => list.value.find((c) => c.id === id)?.name ?? `Collection ${id}`;

  return { list, loaded, available, load, create, rename, remove, nameOf };
});
