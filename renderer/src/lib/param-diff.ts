/**
 * The parameters of several images side by side, each row marked when the images
 * disagree, so a comparison shows at a glance what changed between them.
 */
import type { GalleryImage } from '../../../shared/images.ts';
import { modelLabel } from './format.ts';

export interface ParamRow {
  label: string;
  values: string[];
  /** Not every image has the same value. */
  differs: boolean;
}

const FIELDS: { label: string; read: (img: GalleryImage) => unknown }[] = [
  { label: 'Prompt', read: (i) => i.positive_prompt },
  { label: 'Negative prompt', read: (i) => i.negative_prompt },
  { label: 'Checkpoint', read: (i) => (i.checkpoint ? modelLabel(i.checkpoint) : null) },
  { label: 'LoRAs', read: (i) => i.loras.map((l) => `${l.name}:${l.weight}`).join(', ') },
  { label: 'Seed', read: (i) => i.seed },
  { label: 'Steps', read: (i) => i.steps },
  { label: 'CFG', read: (i) => i.cfg_scale },
  { label: 'Sampler', read: (i) => i.sampler },
  { label: 'Scheduler', read: (i) => i.scheduler },
  { label: 'Size', read: (i) => (i.width && i.height ? `${i.width}×${i.height}` : null) },
  { label: 'Server', read: (i) => i.server_alias },
  { label: 'Folder file', read: (i) => i.source_path },
  { label: 'Rating', read: (i) => (i.rating ? '★'.repeat(i.rating) : null) },
];

const show = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : String(v));

/** One row per parameter any of the images has; rows no image has are left out. */
export function paramRows(images: readonly GalleryImage[]): ParamRow[] {
  const rows: ParamRow[] = [];
  for (const f of FIELDS) {
    const values = images.map((img) => show(f.read(img)));
    if (values.every((v) => v === '—')) continue;
    rows.push({ label: f.label, values, differs: new Set(values).size > 1 });
  }
  return rows;
}
