/**
 * Which queue rows are selected for a bulk action: single clicks toggle, shift-click
 * selects the range from the last clicked row, and "all matching" stands for every job
 * the list's filters match, loaded or not (sent to the engine as the filter itself).
 */
import { computed, ref } from 'vue';
import type { BulkFilter, BulkRequest } from '../../../shared/queue-bulk.ts';

export function useQueueSelection(deps: { orderedIds: () => string[]; total: () => number; filter: () => BulkFilter }) {
  const selected = ref(new Set<string>());
  const allMatching = ref(false);
  let anchor: string | null = null;

  const count = computed(() => (allMatching.value ? deps.total() : selected.value.size));
  const active = computed(() => count.value > 0);
  const allLoadedSelected = computed(() => {
    const ids = deps.orderedIds();
    return ids.length > 0 && ids.every((id) => selected.value.has(id));
  });

  function isSelected(id: string): boolean {
    return allMatching.value || selected.value.has(id);
  }

  function toggle(id: string, range: boolean): void {
    const next = new Set(allMatching.value ? deps.orderedIds() : selected.value);
    allMatching.value = false;
    const ids = deps.orderedIds();
    if (range && anchor && ids.includes(anchor) && ids.includes(id)) {
      const [a, b] = [ids.indexOf(anchor), ids.indexOf(id)].sort((x, y) => x - y);
      const on = !next.has(id) || next.has(anchor);
      for (const rangeId of ids.slice(a, b + 1)) if (on) next.add(rangeId); else next.delete(rangeId);
    } else if (next.has(id)) next.delete(id);
    else next.add(id);
    anchor = id;
    selected.value = next;
  }

  function selectLoaded(): void {
    allMatching.value = false;
    selected.value = new Set(deps.orderedIds());
  }

  function selectAllMatching(): void {
    allMatching.value = true;
  }

  function clear(): void {
    allMatching.value = false;
    selected.value = new Set();
    anchor = null;
  }

  /** The ids or the filter a bulk request names. */
  function target(): Pick<BulkRequest, 'ids' | 'filter'> {
    return allMatching.value ? { filter: deps.filter() } : { ids: [...selected.value] };
  }

  return { selected, allMatching, count, active, allLoadedSelected, isSelected, toggle, selectLoaded, selectAllMatching, clear, target };
}

export type QueueSelection = ReturnType<typeof useQueueSelection>;
