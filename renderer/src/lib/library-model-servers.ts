import type { ServerResource } from '../../../shared/servers.ts';
import { nameKey } from './model-picker-entries.ts';

/**
 * Which servers already list a library file (by name, ignoring folder, extension and
 * hash), from the lists the UI has read. Using a file none of them has still works: the
 * job makes it available to its server when it runs, and the UI says so.
 */
export function serversOffering(fileName: string, lists: Record<string, ServerResource[]>): string[] {
  const key = nameKey(fileName);
  return Object.entries(lists)
    .filter(([, items]) => items.some((r) => nameKey(r.name) === key || nameKey(r.title) === key))
    .map(([alias]) => alias);
}
