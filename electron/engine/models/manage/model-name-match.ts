import type { ModelRow } from '../library/model-row.ts';

/**
 * How a job names a library file: its path under the library folder or its file name,
 * each with or without the extension, optionally followed by A1111's ` [hash]`. These
 * helpers say whether a name means a given file and rewrite it after the file moved,
 * keeping the form (and hash suffix) the job used.
 */
const HASH_SUFFIX = /\s*\[[0-9a-f]{8,64}\]\s*$/i;

type NameForm = 'rel' | 'rel_no_ext' | 'file' | 'file_no_ext';

function forms(row: Pick<ModelRow, 'rel_path' | 'ext'>): Record<NameForm, string> {
  const rel = row.rel_path;
  const file = rel.slice(rel.lastIndexOf('/') + 1);
  const cut = (s: string) => (row.ext && s.toLowerCase().endsWith(row.ext.toLowerCase()) ? s.slice(0, -row.ext.length) : s);
  return { rel, rel_no_ext: cut(rel), file, file_no_ext: cut(file) };
}

function split(name: string): { bare: string; suffix: string } {
  const m = HASH_SUFFIX.exec(name);
  const bare = (m ? name.slice(0, m.index) : name).trim().replace(/\\/g, '/');
  return { bare, suffix: m ? m[0] : '' };
}

/**
 * Checkpoints and VAEs are named by path (Forge titles), LoRAs and embeddings by file name:
 * a file at the top of its folder reads the same both ways, and keeps the kind's form.
 */
const FORM_ORDER: Record<ModelRow['kind'], readonly NameForm[]> = {
  checkpoint: ['rel', 'rel_no_ext', 'file', 'file_no_ext'],
  vae: ['rel', 'rel_no_ext', 'file', 'file_no_ext'],
  lora: ['file_no_ext', 'file', 'rel_no_ext', 'rel'],
  embedding: ['file_no_ext', 'file', 'rel_no_ext', 'rel'],
};

/** Which form of the file's name `name` is, or null when it names another file. */
export function nameForm(name: string, row: Pick<ModelRow, 'rel_path' | 'ext' | 'kind'>): NameForm | null {
  const { bare } = split(name);
  const wanted = bare.toLowerCase();
  const all = forms(row);
  for (const form of FORM_ORDER[row.kind]) {
    if (all[form].toLowerCase() === wanted) return form;
  }
  return null;
}

/** `name` rewritten for the file's new place, in the same form; null when it names another file. */
export function renamed(name: string, before: Pick<ModelRow, 'rel_path' | 'ext' | 'kind'>, after: Pick<ModelRow, 'rel_path' | 'ext'>): string | null {
  const form = nameForm(name, before);
  if (!form) return null;
  return `${forms(after)[form]}${split(name).suffix}`;
}

/** The model names a job's params carry for a kind of file (checkpoint, LoRAs, VAE). */
export function namesInParams(params: Record<string, unknown>, kind: ModelRow['kind']): string[] {
  if (kind === 'checkpoint') return typeof params.checkpoint_name === 'string' ? [params.checkpoint_name] : [];
  if (kind === 'lora') {
    return (Array.isArray(params.loras) ? params.loras : [])
      .map((l) => (l && typeof l === 'object' ? (l as Record<string, unknown>).name : null))
      .filter((n): n is string => typeof n === 'string');
  }
  if (kind === 'vae') return typeof params.vae === 'string' ? [params.vae] : [];
  return [];
}

/** The params with every name of the moved file rewritten; null when nothing named it. */
export function paramsAfterMove(params: Record<string, unknown>, kind: ModelRow['kind'], before: ModelRow, after: Pick<ModelRow, 'rel_path' | 'ext'>): Record<string, unknown> | null {
  let changed = false;
  const swap = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    const next = renamed(value, before, after);
    if (next === null || next === value) return value;
    changed = true;
    return next;
  };
  const out: Record<string, unknown> = { ...params };
  if (kind === 'checkpoint') out.checkpoint_name = swap(params.checkpoint_name);
  if (kind === 'vae' && 'vae' in params) out.vae = swap(params.vae);
  if (kind === 'lora' && Array.isArray(params.loras)) {
    out.loras = params.loras.map((l) => (l && typeof l === 'object' ? { ...(l as object), name: swap((l as Record<string, unknown>).name) } : l));
  }
  return changed ? out : null;
}
