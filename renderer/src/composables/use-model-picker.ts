/**
 * The data behind the model picker: the chosen server's list, the library (with stars and
 * usage) and, when asked, a Civitai search, merged into entries with their place and any
 * base-model warning against the form's checkpoint. Reloads when the library changes (a
 * download from the picker lands), so an entry moves from "Civitai" to "library" by itself.
 */
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue';
import type { CivitaiModelResult } from '../../../shared/civitai.ts';
import type { ModelUsage } from '../../../shared/model-usage.ts';
import type { ModelView } from '../../../shared/models.ts';
import type { ServerResourceKind } from '../../../shared/servers.ts';
import { modelsApi } from '../api/models.ts';
import { CIVITAI_TYPE, checkpointFamily, entryWarning, pickerEntries, suggestedOrder, type PickerKind } from '../lib/model-picker-entries.ts';
import { useLive } from '../stores/live.ts';
import { useGenerateForm } from './use-generate-form.ts';

const SERVER_LIST: Record<PickerKind, ServerResourceKind | null> = { checkpoint: 'checkpoints', lora: 'loras', vae: 'vaes', embedding: null };

export function useModelPicker(kind: Ref<PickerKind>, query: Ref<string>) {
  const api = modelsApi();
  const { f, res } = useGenerateForm();
  const library = ref<ModelView[]>([]);
  const checkpoints = ref<ModelView[]>([]);
  const usage = ref(new Map<number, ModelUsage>());
  const civitai = ref<CivitaiModelResult[]>([]);
  const loading = ref(false);
  const searching = ref(false);
  const error = ref<unknown>(null);
  let controller: AbortController | null = null;

  async function load(): Promise<void> {
    controller?.abort();
    controller = new AbortController();
    loading.value = true;
    try {
      const [list, ckpts, used] = await Promise.all([
        api.list({ kind: kind.value, q: query.value.trim() || undefined, limit: 200 }, controller.signal),
        kind.value === 'checkpoint' ? null : api.list({ kind: 'checkpoint', limit: 500 }, controller.signal),
        api.usage(),
      ]);
      library.value = list.items;
      checkpoints.value = ckpts?.items ?? list.items;
      usage.value = new Map(used.items.map((u) => [u.model_id, u]));
      error.value = null;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') error.value = err;
    } finally {
      loading.value = false;
    }
  }

  /** Civitai is searched only on request: it is slow, rate limited and not always reachable. */
  async function searchCivitai(): Promise<void> {
    searching.value = true;
    try {
      civitai.value = (await api.search({ query: query.value.trim() || undefined, types: [CIVITAI_TYPE[kind.value]], limit: 20, sort: 'Most Downloaded' })).items;
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      searching.value = false;
    }
  }

  const serverItems = computed(() => {
    const list = SERVER_LIST[kind.value];
    if (!list) return [];
    const q = query.value.trim().toLowerCase();
    return res(list).filter((r) => !q || r.name.toLowerCase().includes(q) || (r.title ?? '').toLowerCase().includes(q));
  });

  const checkpoint = computed(() => ({ name: f.value.checkpoint, family: checkpointFamily(f.value.checkpoint, checkpoints.value) }));

  const entries = computed(() => pickerEntries({
    kind: kind.value, server: serverItems.value, library: library.value, civitai: civitai.value, usage: usage.value,
    previewUrl: (m) => (m.preview_url ? api.assetUrl(m.preview_url) : null),
    civitaiImage: (url) => api.civitaiImage(url, 320),
  }).sort(suggestedOrder).map((entry) => ({ entry, warning: entryWarning(entry, checkpoint.value) })));

  let debounce: ReturnType<typeof setTimeout> | null = null;
  watch([kind, query], ([, ], [oldKind]) => {
    if (debounce) clearTimeout(debounce);
    if (kind.value !== oldKind) civitai.value = [];
    debounce = setTimeout(() => void load(), 200);
  });
  const off = useLive().on((event) => {
    if (event.type === 'models.changed') void load();
  });
  onBeforeUnmount(() => {
    off();
    controller?.abort();
    if (debounce) clearTimeout(debounce);
  });

  return { entries, checkpoint, loading, searching, error, load, searchCivitai, civitaiSearched: computed(() => civitai.value.length > 0) };
}
