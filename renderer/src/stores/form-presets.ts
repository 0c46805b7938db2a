/** Whole Generate forms saved by name on the server, so every device sees them. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { FormPreset } from '../../../shared/generate-library.ts';
import { libraryApi } from '../api/generate-library.ts';
import { formWithPreset, presetOf } from '../lib/form-preset.ts';
import { useGenerate } from './generate.ts';

export const useFormPresets = defineStore('form-presets', () => {
  const list = ref<FormPreset[]>([]);
  const loaded = ref(false);
  const gen = useGenerate();

  async function load(): Promise<void> {
    list.value = await libraryApi().presets();
    loaded.value = true;
  }

  async function saveCurrent(name: string): Promise<FormPreset> {
    const saved = await libraryApi().savePreset(name, presetOf(gen.form) as Record<string, unknown>);
    await load();
    return saved;
  }

  function apply(form: Record<string, unknown>): void {
    gen.form = formWithPreset(gen.form, form);
  }

  async function remove(id: number): Promise<void> {
    await libraryApi().deletePreset(id);
    list.value = list.value.filter((p) => p.id !== id);
  }

  return { list, loaded, load, saveCurrent, apply, remove };
});
