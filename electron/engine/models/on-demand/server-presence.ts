import { closestCheckpoints, resolveCheckpoint } from '../../backends/checkpoint-resolver.ts';
import type { RuntimeServer, ServerRegistry } from '../../servers/server-registry.ts';

/** Name candidates for a file on a server: the name itself and its base name without extension. */
function baseOf(name: string): string {
  const slash = name.replace(/\\/g, '/');
  return slash.slice(slash.lastIndexOf('/') + 1).replace(/\.(safetensors|ckpt|pt|pth|bin|sft|gguf)$/i, '').toLowerCase();
}

/**
 * Whether a server lists a checkpoint (by title, path, hash, base name or a close name),
 * re-reading its list once before saying no. Null when the list cannot be read.
 */
export async function serverHasCheckpoint(registry: ServerRegistry, server: RuntimeServer, names: string[]): Promise<{ present: boolean | null; title: string | null; closest: string[] }> {
  const look = () => {
    if (!server.checkpoints) return null;
    for (const name of names) {
      const hit = resolveCheckpoint(name, server.checkpoints);
      if (hit && hit.match !== 'fuzzy') return hit.title;
    }
    return false as const;
  };
  let found = look();
  if (found === false || found === null) {
    await registry.refreshCheckpoints(server);
    found = look();
  }
  if (found === null) return { present: null, title: null, closest: [] };
  if (found === false) return { present: false, title: null, closest: closestCheckpoints(names[0], server.checkpoints ?? []) };
  return { present: true, title: found, closest: [] };
}

const LORA_LIST_TTL_MS = 60_000;
const loraLists = new WeakMap<RuntimeServer, { at: number; names: { name: string; title: string }[] }>();

async function loraList(server: RuntimeServer, fresh: boolean): Promise<{ name: string; title: string }[] | null> {
  const cached = loraLists.get(server);
  if (!fresh && cached && Date.now() - cached.at < LORA_LIST_TTL_MS) return cached.names;
  try {
    const items = await server.backend.listResources('loras', AbortSignal.timeout(15_000));
    const names = items.map((i) => ({ name: i.name, title: i.title }));
    loraLists.set(server, { at: Date.now(), names });
    return names;
  } catch {
    return null;
  }
}

/**
 * Whether a server lists a LoRA (by name or base name), from a list kept for a minute and
 * re-read once before saying no; null when the list cannot be read.
 */
export async function serverHasLora(server: RuntimeServer, names: string[]): Promise<{ present: boolean | null; name: string | null }> {
  const wanted = new Set(names.map(baseOf));
  for (const fresh of [false, true]) {
    const items = await loraList(server, fresh);
    if (!items) return { present: null, name: null };
    const hit = items.find((i) => wanted.has(baseOf(i.name)) || wanted.has(baseOf(i.title)));
    if (hit) return { present: true, name: hit.name };
  }
  return { present: false, name: null };
}
