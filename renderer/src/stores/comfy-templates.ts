/**
 * Saved ComfyUI templates, and what choosing one does to the Generate form: its own
 * values (prompt, seed, size…) fill the form, so the form starts from the workflow as
 * it was saved, and the inputs named on it get their fields.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ComfyTemplate, ComfyTemplateInput, TemplateExtraInput } from '../../../shared/generate-library.ts';
import { libraryApi } from '../api/generate-library.ts';
import { useGenerate, type GenerateForm } from './generate.ts';

type Defaults = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The form with a template's saved values in the fields it has; pure. */
export function formWithTemplate(form: GenerateForm, template: Pick<ComfyTemplate, 'name' | 'defaults' | 'extra_inputs'>): GenerateForm {
  const d: Defaults = template.defaults;
  const inputs: GenerateForm['templateInputs'] = {};
  for (const extra of template.extra_inputs) {
    const value = d[extra.name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') inputs[extra.name] = value;
  }
  return {
    ...form,
    appType: 'comfyui',
    comfyMode: 'template',
    template: template.name,
    templateInputs: inputs,
    positive: text(d.positive_prompt) ?? form.positive,
    negative: text(d.negative_prompt) ?? '',
    // A saved seed is a fixed one; -1 (random each time) is what people usually want from a form.
    seed: -1,
    steps: num(d.steps) ?? form.steps,
    cfg: num(d.cfg_scale) ?? form.cfg,
    width: num(d.width) ?? form.width,
    height: num(d.height) ?? form.height,
    batchSize: num(d.batch_size) ?? 1,
    sampler: text(d.sampler_name) ?? '',
    scheduler: text(d.scheduler) ?? '',
    checkpoint: text(d.checkpoint_name) ?? '',
    loras: [],
  };
}

export const useComfyTemplates = defineStore('comfy-templates', () => {
  const list = ref<ComfyTemplate[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const gen = useGenerate();

  const selected = computed(() => list.value.find((t) => t.name.toLowerCase() === gen.form.template.toLowerCase()) ?? null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      list.value = await libraryApi().templates();
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  function choose(name: string): void {
    const template = list.value.find((t) => t.name === name);
    if (!template) {
      gen.form.template = '';
      return;
    }
    gen.form = formWithTemplate(gen.form, template);
  }

  async function save(input: ComfyTemplateInput): Promise<ComfyTemplate> {
    const created = await libraryApi().createTemplate(input);
    await load();
    return created;
  }

  async function setExtraInputs(template: ComfyTemplate, extras: TemplateExtraInput[]): Promise<ComfyTemplate> {
    const updated = await libraryApi().updateTemplate(template.id, {
      name: template.name, description: template.description, workflow: template.workflow, extra_inputs: extras,
    });
    list.value = list.value.map((t) => (t.id === updated.id ? updated : t));
    return updated;
  }

  async function remove(template: ComfyTemplate): Promise<void> {
    await libraryApi().deleteTemplate(template.id);
    list.value = list.value.filter((t) => t.id !== template.id);
    if (gen.form.template === template.name) gen.form.template = '';
  }

  return { list, loaded, loading, selected, load, choose, save, setExtraInputs, remove };
});
