import fs from 'node:fs';
import path from 'node:path';
import type { ModelKind } from '../../../../shared/models.ts';

export interface LibraryRoot {
  kind: ModelKind;
  path: string;
  /** Downloads of this kind go to the primary root. */
  primary: boolean;
}

export interface RootConfig {
  checkpointPath: string | null;
  loraPath: string | null;
  vaePath: string | null;
  embeddingsPath: string | null;
}

const isDir = (p: string): boolean => {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Sub-folder names per kind: A1111/Forge first, then ComfyUI. */
const LAYOUT: Record<ModelKind, string[]> = {
  checkpoint: ['Stable-diffusion', 'checkpoints'],
  lora: ['Lora', 'loras'],
  vae: ['VAE', 'vae'],
  embedding: ['embeddings'],
};

/** A path given as the `models` folder itself resolves to the kind's sub-folder. */
function refine(kind: ModelKind, dir: string): string {
  for (const name of LAYOUT[kind]) {
    const sub = path.join(dir, name);
    if (path.basename(dir).toLowerCase() === 'models' && isDir(sub)) return sub;
  }
  return dir;
}

/**
 * The library's folders: the configured CHECKPOINT_PATH, LORA_PATH, VAE_PATH and
 * EMBEDDINGS_PATH; unset VAE/embeddings folders are found next to the checkpoint folder
 * in the A1111 (`models/Stable-diffusion`, `models/VAE`, `embeddings`) or ComfyUI
 * (`models/checkpoints`, `models/vae`, `models/embeddings`) layout; A1111's
 * `models/LyCORIS` is an extra LoRA folder.
 */
export function resolveLibraryRoots(config: RootConfig): LibraryRoot[] {
  const roots: LibraryRoot[] = [];
  const add = (kind: ModelKind, dir: string | null, primary: boolean) => {
    if (!dir) return;
    const resolved = path.resolve(dir);
    if (roots.some((r) => r.path === resolved)) return;
    roots.push({ kind, path: resolved, primary });
  };
  const checkpoint = config.checkpointPath ? refine('checkpoint', config.checkpointPath) : null;
  const modelsDir = checkpoint ? path.dirname(checkpoint) : null;
  const sibling = (names: string[], extra: string[] = []): string | null => {
    if (!modelsDir) return null;
    for (const name of names) if (isDir(path.join(modelsDir, name))) return path.join(modelsDir, name);
    for (const rel of extra) if (isDir(path.join(modelsDir, rel))) return path.join(modelsDir, rel);
    return null;
  };
  add('checkpoint', checkpoint, true);
  const lora = config.loraPath ? refine('lora', config.loraPath) : sibling(LAYOUT.lora);
  add('lora', lora, true);
  if (lora && path.basename(lora) === 'Lora') {
    const lycoris = path.join(path.dirname(lora), 'LyCORIS');
    if (isDir(lycoris)) add('lora', lycoris, false);
  }
  add('vae', config.vaePath ? refine('vae', config.vaePath) : sibling(LAYOUT.vae), true);
  add('embedding', config.embeddingsPath ? config.embeddingsPath : sibling(['embeddings'], ['../embeddings']), true);
  return roots;
}

export function primaryRoot(roots: LibraryRoot[], kind: ModelKind): LibraryRoot | null {
  return roots.find((r) => r.kind === kind && r.primary) ?? null;
}
