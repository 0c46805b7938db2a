import { distance } from 'fastest-levenshtein';

export interface CheckpointEntry {
  title: string;
  model_name?: string;
  hash?: string | null;
  sha256?: string | null;
  filename?: string;
}

export type MatchKind = 'exact' | 'path' | 'hash' | 'basename' | 'fuzzy';

export interface Resolution {
  title: string;
  match: MatchKind;
}

const HASH_SUFFIX = /\s*\[([0-9a-f]{8,64})\]\s*$/i;

function stripHash(name: string): string {
  return name.replace(HASH_SUFFIX, '').trim();
}

/** Slash-agnostic, case-insensitive form of a relative model path. */
function normPath(name: string): string {
  return stripHash(name).replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

function baseName(name: string): string {
  const path = normPath(name);
  return path.slice(path.lastIndexOf('/') + 1).replace(/\.(safetensors|ckpt|pt|pth|bin|gguf|sft)$/i, '');
}

/**
 * Finds the server's exact checkpoint title for a name a job carries: exact
 * title, then the same path with either slash, then a hash (AutoV2 short hash or full
 * sha256, alone or as a `[hash]` suffix), then the file's base name, then a close fuzzy
 * match (unique and within ~20% edits). Returns null rather than guessing between ties.
 */
export function resolveCheckpoint(requested: string, models: CheckpointEntry[]): Resolution | null {
  const wanted = requested.trim();
  if (!wanted) return null;
  const exact = models.find((m) => m.title === wanted);
  if (exact) return { title: exact.title, match: 'exact' };

  const wantedPath = normPath(wanted);
  const byPath = models.filter((m) => normPath(m.title) === wantedPath || (m.model_name && m.model_name.toLowerCase() === wantedPath));
  if (byPath.length === 1) return { title: byPath[0].title, match: 'path' };

  const hash = (HASH_SUFFIX.exec(wanted)?.[1] ?? (/^[0-9a-f]{10}$|^[0-9a-f]{64}$/i.test(wanted) ? wanted : '')).toLowerCase();
  if (hash) {
    const byHash = models.filter((m) => {
      const short = (m.hash ?? HASH_SUFFIX.exec(m.title)?.[1] ?? '').toLowerCase();
      const full = (m.sha256 ?? '').toLowerCase();
      return (short && (short === hash || hash.startsWith(short))) || (full && (full === hash || full.startsWith(hash)));
    });
    if (byHash.length === 1) return { title: byHash[0].title, match: 'hash' };
  }

  const wantedBase = baseName(wanted);
  const byBase = models.filter((m) => baseName(m.title) === wantedBase);
  if (byBase.length === 1) return { title: byBase[0].title, match: 'basename' };
  if (byBase.length > 1) return null;

  let best: CheckpointEntry | null = null;
  let bestDistance = Infinity;
  let tie = false;
  for (const model of models) {
    const d = distance(wantedBase, baseName(model.title));
    if (d < bestDistance) { best = model; bestDistance = d; tie = false; } else if (d === bestDistance) tie = true;
  }
  const allowed = Math.max(2, Math.floor(wantedBase.length * 0.2));
  if (best && !tie && bestDistance <= allowed) return { title: best.title, match: 'fuzzy' };
  return null;
}

/** Up to `n` closest titles, for a "did you mean" in the failure message. */
export function closestCheckpoints(requested: string, models: CheckpointEntry[], n = 3): string[] {
  const wantedBase = baseName(requested);
  return [...models]
    .sort((a, b) => distance(wantedBase, baseName(a.title)) - distance(wantedBase, baseName(b.title)))
    .slice(0, n)
    .map((m) => m.title);
}
