/**
 * The model picker's entries: one list built from what the chosen server offers, what the
 * local library holds and what Civitai has, each entry saying where it is. Pure, so the
 * merge and its order are tested without a browser.
 */
import { compatibilityWarnings, type CompatibilityWarning } from '../../../shared/base-model-compatibility.ts';
import { familyFromCivitai } from '../../../shared/base-model-families.ts';
import type { CivitaiModelResult } from '../../../shared/civitai.ts';
import type { ModelUsage } from '../../../shared/model-usage.ts';
import type { BaseModelFamily, ModelView } from '../../../shared/models.ts';
import type { ServerResource } from '../../../shared/servers.ts';

export type PickerKind = 'checkpoint' | 'lora' | 'vae' | 'embedding';

/** Civitai's model type for each picker kind (its search filter). */
export const CIVITAI_TYPE: Record<PickerKind, string> = { checkpoint: 'Checkpoint', lora: 'LORA', vae: 'VAE', embedding: 'TextualInversion' };

export type EntryPlace = 'server' | 'library' | 'civitai';

export interface PickerEntry {
  key: string;
  kind: PickerKind;
  /** What a job sends: the server's name when the server has it, else the library file's. */
  name: string;
  title: string;
  subtitle: string | null;
  baseModel: BaseModelFamily | null;
  previewUrl: string | null;
  triggerWords: string[];
  place: EntryPlace;
  library: ModelView | null;
  civitai: { modelId: number; versionId: number; fileId: number | null; sizeKb: number | null } | null;
  favourite: boolean;
  uses: number;
  lastUsedAt: string | null;
}

/** A model name as servers, jobs and files spell it, reduced to compare them: no folder, extension or `[hash]`. */
export function nameKey(name: string): string {
  const base = name.replace(/\s*\[[0-9a-f]{8,64}\]\s*$/i, '').replace(/\\/g, '/').split('/').pop() ?? name;
  return base.replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '').trim().toLowerCase();
}

export interface EntrySources {
  kind: PickerKind;
  server: ServerResource[];
  library: ModelView[];
  civitai: CivitaiModelResult[];
  usage: Map<number, ModelUsage>;
  /** Builds a URL the page can load for a library preview or a Civitai image. */
  previewUrl: (model: ModelView) => string | null;
  civitaiImage: (url: string) => string;
}

function fromLibrary(model: ModelView, place: EntryPlace, name: string, usage: Map<number, ModelUsage>, previewUrl: EntrySources['previewUrl']): Omit<PickerEntry, 'kind'> {
  const use = usage.get(model.id);
  return {
    key: `lib:${model.id}`,
    name,
    title: model.civitai?.model_name ?? model.name,
    subtitle: model.civitai?.version_name ?? (model.folder ? `${model.folder}/${model.file_name}` : model.file_name),
    baseModel: model.base_model === 'Unknown' ? null : model.base_model as BaseModelFamily,
    previewUrl: previewUrl(model),
    triggerWords: model.civitai?.trained_words ?? [],
    place,
    library: model,
    civitai: model.civitai ? { modelId: model.civitai.model_id, versionId: model.civitai.version_id, fileId: null, sizeKb: null } : null,
    favourite: model.favourite ?? false,
    uses: use?.jobs ?? 0,
    lastUsedAt: use?.last_used_at ?? null,
  };
}

/**
 * Server entries first matched to the library (for preview, base model, trigger words),
 * then library files the server lacks, then Civitai versions the library does not hold.
 */
export function pickerEntries(sources: EntrySources): PickerEntry[] {
  const { kind, usage } = sources;
  const libraryByKey = new Map<string, ModelView>();
  for (const model of sources.library) if (!libraryByKey.has(nameKey(model.file_name))) libraryByKey.set(nameKey(model.file_name), model);
  const entries: PickerEntry[] = [];
  const usedLibrary = new Set<number>();
  for (const resource of sources.server) {
    const model = libraryByKey.get(nameKey(resource.name));
    if (model) {
      usedLibrary.add(model.id);
      entries.push({ kind, ...fromLibrary(model, 'server', resource.name, usage, sources.previewUrl), key: `srv:${resource.name}` });
    } else {
      entries.push({
        key: `srv:${resource.name}`, kind, name: resource.name, title: resource.title && resource.title !== resource.name ? resource.title : resource.name,
        subtitle: null, baseModel: null, previewUrl: null, triggerWords: [], place: 'server', library: null, civitai: null,
        favourite: false, uses: 0, lastUsedAt: null,
      });
    }
  }
  for (const model of sources.library) {
    if (usedLibrary.has(model.id)) continue;
    // LoRAs and embeddings are named without extension (in prompts), checkpoints and VAEs by file.
    const name = kind === 'lora' || kind === 'embedding' ? model.name : model.rel_path;
    entries.push({ kind, ...fromLibrary(model, 'library', name, usage, sources.previewUrl) });
  }
  const installed = new Set(sources.library.map((m) => m.civitai?.version_id).filter((v): v is number => v !== undefined));
  for (const result of sources.civitai) {
    const version = result.modelVersions?.[0];
    if (!version || installed.has(version.id) || result.installed_version_ids.includes(version.id)) continue;
    const file = version.files?.find((f) => f.primary) ?? version.files?.[0];
    const image = version.images?.find((i) => i.type !== 'video' && Number(i.nsfwLevel ?? 1) <= 2);
    entries.push({
      key: `civ:${version.id}`, kind, name: file?.name ?? result.name, title: result.name, subtitle: version.name ?? null,
      baseModel: familyFromCivitai(version.baseModel), previewUrl: image ? sources.civitaiImage(image.url) : null,
      triggerWords: version.trainedWords ?? [], place: 'civitai', library: null,
      civitai: { modelId: result.id, versionId: version.id, fileId: file?.id ?? null, sizeKb: file?.sizeKB ?? null },
      favourite: false, uses: 0, lastUsedAt: null,
    });
  }
  return entries;
}

const PLACE_RANK: Record<EntryPlace, number> = { server: 0, library: 1, civitai: 2 };

/** Favourites first, then the most recently and most often used, then what the server has, then by name. */
export function suggestedOrder(a: PickerEntry, b: PickerEntry): number {
  return Number(b.favourite) - Number(a.favourite)
    || (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? '')
    || b.uses - a.uses
    || PLACE_RANK[a.place] - PLACE_RANK[b.place]
    || a.title.localeCompare(b.title, undefined, { sensitivity: 'base' });
}

/** The checkpoint's base model, from the library file the form's checkpoint names; null when unknown. */
export function checkpointFamily(checkpoint: string, library: ModelView[]): BaseModelFamily | null {
  if (!checkpoint) return null;
  const key = nameKey(checkpoint);
  const model = library.find((m) => m.kind === 'checkpoint' && nameKey(m.file_name) === key);
  return model && model.base_model !== 'Unknown' ? model.base_model as BaseModelFamily : null;
}

/** The warning for an add-on that does not fit the checkpoint, or null. */
export function entryWarning(entry: PickerEntry, checkpoint: { name: string; family: BaseModelFamily | null }): CompatibilityWarning | null {
  if (entry.kind === 'checkpoint' || !checkpoint.family || !entry.baseModel) return null;
  return compatibilityWarnings({ name: checkpoint.name, base_model: checkpoint.family }, [{ kind: entry.kind, name: entry.title, base_model: entry.baseModel }])[0] ?? null;
}
