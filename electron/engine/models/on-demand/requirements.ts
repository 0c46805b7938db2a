import type { GenerationParams } from '../../../../shared/jobs.ts';

/** A model a job needs, with whatever finds it on Civitai. */
export interface ResourceRef {
  role: 'checkpoint' | 'lora';
  /** Index in `loras` for a LoRA. */
  index: number;
  name: string | null;
  versionId: number | null;
  air: string | null;
  hash: string | null;
}

const HASH_ONLY = /^[0-9a-f]{10}$|^[0-9a-f]{12}$|^[0-9a-f]{64}$/i;
const HASH_SUFFIX = /\[([0-9a-f]{8,64})\]\s*$/i;

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/** A hash the name itself carries: a bare hash, or A1111's `title [abcdef0123]`. */
function hashInName(name: string | null): string | null {
  if (!name) return null;
  if (HASH_ONLY.test(name)) return name.toLowerCase();
  return HASH_SUFFIX.exec(name)?.[1]?.toLowerCase() ?? null;
}

/**
 * The checkpoint and LoRAs a job names: `checkpoint_name` with `checkpoint_civitai_version_id`,
 * `civitai_air` (the checkpoint's AIR) or `checkpoint_hash`; each `loras[]` entry with its
 * `civitai_version_id`, `civitai_air` or `hash`.
 */
export function jobRequirements(params: GenerationParams): ResourceRef[] {
  const refs: ResourceRef[] = [];
  const checkpointName = str(params.checkpoint_name);
  const checkpoint: ResourceRef = {
    role: 'checkpoint',
    index: 0,
    name: checkpointName,
    versionId: int(params.checkpoint_civitai_version_id),
    air: str(params.civitai_air),
    hash: str(params.checkpoint_hash)?.toLowerCase() ?? hashInName(checkpointName),
  };
  if (checkpoint.name || checkpoint.versionId || checkpoint.air || checkpoint.hash) refs.push(checkpoint);
  (Array.isArray(params.loras) ? params.loras : []).forEach((lora, index) => {
    const l = lora as Record<string, unknown>;
    refs.push({
      role: 'lora',
      index,
      name: str(l.name),
      versionId: int(l.civitai_version_id),
      air: str(l.civitai_air),
      hash: str(l.hash)?.toLowerCase() ?? null,
    });
  });
  return refs;
}

export function identifiable(ref: ResourceRef): boolean {
  return ref.versionId !== null || ref.air !== null || ref.hash !== null;
}

export function describeRef(ref: ResourceRef): string {
  const what = ref.role === 'checkpoint' ? 'Checkpoint' : 'LoRA';
  const label = ref.name ?? (ref.versionId ? `Civitai version ${ref.versionId}` : ref.air ?? ref.hash ?? '?');
  return `${what} "${label}"`;
}
