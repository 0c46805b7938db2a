import { resolveCheckpoint } from '../../backends/checkpoint-resolver.ts';

/**
 * Whether a server that has `loaded` (a title it reported, or the name the job before asked
 * for) can run a job asking for `wanted` without loading another model. Either side may be
 * the short name and the other the full title (`sub/name.safetensors [hash]`); a fuzzy
 * resemblance is not the same model. A job that names no model never makes a load.
 */
export function sameModel(loaded: string | null, wanted: string): boolean {
  if (!wanted) return true;
  if (!loaded) return false;
  if (loaded === wanted) return true;
  const forward = resolveCheckpoint(wanted, [{ title: loaded }]);
  if (forward && forward.match !== 'fuzzy') return true;
  const backward = resolveCheckpoint(loaded, [{ title: wanted }]);
  return backward !== null && backward.match !== 'fuzzy';
}
