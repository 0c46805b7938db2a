/** StableQueue's own prompt styles (name, prompt, negative; `{prompt}` marks where the prompt goes). */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Style, StyleImportResult, StyleInput } from '../../../shared/generate-library.ts';
import { libraryApi } from '../api/generate-library.ts';

export const useStyles = defineStore('styles', () => {
  const list = ref<Style[]>([]);
  const loaded = ref(false);

  async function load(): Promise<void> {
    list.value = await libraryApi().styles();
    loaded.value = true;
  }

  async function save(input: StyleInput, id?: number): Promise<Style> {
    const saved = id ? await libraryApi().updateStyle(id, input) : await libraryApi().createStyle(input);
    await load();
    return saved;
  }

  async function remove(id: number): Promise<void> {
    await libraryApi().deleteStyle(id);
    list.value = list.value.filter((s) => s.id !== id);
  }

  async function importCsv(csv: string): Promise<StyleImportResult> {
    const result = await libraryApi().importStyles(csv);
    list.value = result.styles;
    return result;
  }

  return { list, loaded, load, save, remove, importCsv };
});
