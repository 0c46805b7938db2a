/**
 * What the chosen Forge target's extensions offer (ControlNet, ADetailer), its upscalers
 * and prompt styles, read through the engine and kept per target for a minute. A part of
 * the form whose extension is absent stays hidden.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ServerCapabilities } from '../../../shared/generate-library.ts';
import { libraryApi } from '../api/generate-library.ts';

const TTL_MS = 60_000;

export const useServerCapabilities = defineStore('server-capabilities', () => {
  const byTarget = ref<Record<string, ServerCapabilities>>({});
  const loadedAt = new Map<string, number>();
  const inFlight = new Map<string, Promise<void>>();

  function of(target: string): ServerCapabilities | null {
    return byTarget.value[target] ?? null;
  }

  async function load(target: string, force = false): Promise<void> {
    if (!force && Date.now() - (loadedAt.get(target) ?? 0) < TTL_MS) return;
    const running = inFlight.get(target);
    if (running) return running;
    const p = libraryApi().capabilities(target)
      .then((caps) => {
        byTarget.value = { ...byTarget.value, [target]: caps };
        loadedAt.set(target, Date.now());
      })
      .catch(() => {
        /* an unknown or offline target offers nothing; the extensions stay hidden */
      })
      .finally(() => inFlight.delete(target));
    inFlight.set(target, p);
    return p;
  }

  return { byTarget, of, load };
});
