/**
 * What every part of the Generate form reads: the form itself, the errors to show (only
 * after a first submit), and the server lists (checkpoints, samplers, LoRAs…) of the
 * chosen target. Computeds only, so each section component can call it without setting
 * up watchers twice; GenerateView owns the watchers that load the lists.
 */
import { computed } from 'vue';
import type { ServerResourceKind } from '../../../shared/servers.ts';
import { useGenerate } from '../stores/generate.ts';
import { useServers } from '../stores/servers.ts';
import { useToasts } from '../stores/toasts.ts';

export function useGenerateForm() {
  const gen = useGenerate();
  const servers = useServers();
  const f = computed(() => gen.form);

  const selectedServer = computed(() => (f.value.target === 'auto' ? null : servers.byAlias[f.value.target]));
  const isForge = computed(() => f.value.appType === 'forge');
  const usesWorkflow = computed(() => f.value.appType === 'comfyui' && f.value.comfyMode === 'workflow');
  const err = computed(() => (gen.touched ? gen.errors : {}));

  const kinds = computed<ServerResourceKind[]>(() =>
    isForge.value ? ['checkpoints', 'samplers', 'schedulers', 'loras', 'vaes'] : ['checkpoints', 'samplers', 'schedulers', 'loras'],
  );
  const res = (kind: ServerResourceKind) => servers.resourcesFor(f.value.target, f.value.appType, kind);
  const resLoading = (kind: ServerResourceKind) => servers.resourcesLoading(f.value.target, f.value.appType, kind);
  const onlineOfType = computed(() => servers.ofType(f.value.appType).filter((s) => s.enabled && (s.status === 'online' || s.status === 'busy')));

  /** Ask the target's servers for their lists (cached by the store unless forced). */
  function loadResources(force = false): void {
    if (!servers.loaded || !servers.list.length) return;
    void servers.loadResourcesFor(f.value.target, f.value.appType, kinds.value, force);
  }

  /** "Use this seed" from a finished job: the next job runs with it. */
  function useSeed(seed: number): void {
    f.value.seed = seed;
    useToasts().info('Seed set', `The next job uses seed ${seed}.`);
  }

  return { gen, f, err, useSeed, selectedServer, isForge, usesWorkflow, res, resLoading, onlineOfType, loadResources };
}
