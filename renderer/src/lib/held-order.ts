/**
 * The list order shown while the pointer rests on a list: rows keep the places they had
 * when it arrived, so the row under the pointer is still the same one at the next click.
 * A row that left the list (cancelled, finished, filtered out) stays where it was, showing
 * its last known state; rows that arrived meanwhile wait at the end. The live order takes
 * over once the pointer leaves.
 */
export function heldOrder<T>(heldIds: readonly string[], live: readonly T[], idOf: (row: T) => string, lastSeen: (id: string) => T | undefined): T[] {
  const liveById = new Map(live.map((row) => [idOf(row), row]));
  const out: T[] = [];
  const placed = new Set<string>();
  for (const id of heldIds) {
    const row = liveById.get(id) ?? lastSeen(id);
    if (!row) continue;
    out.push(row);
    placed.add(id);
  }
  for (const row of live) if (!placed.has(idOf(row))) out.push(row);
  return out;
}
