import { describe, expect, it } from 'vitest';
import { heldOrder } from '../../../renderer/src/lib/held-order.ts';

interface Row { id: string; status: string }
const idOf = (r: Row) => r.id;

describe('heldOrder', () => {
  it('keeps the rows where they were while the live order changes', () => {
    const live = [{ id: 'c', status: 'pending' }, { id: 'a', status: 'pending' }, { id: 'b', status: 'pending' }];
    expect(heldOrder(['a', 'b', 'c'], live, idOf, () => undefined).map(idOf)).toEqual(['a', 'b', 'c']);
  });

  it('shows the current state of each held row', () => {
    const out = heldOrder(['a', 'b'], [{ id: 'b', status: 'cancelled' }, { id: 'a', status: 'pending' }], idOf, () => undefined);
    expect(out).toEqual([{ id: 'a', status: 'pending' }, { id: 'b', status: 'cancelled' }]);
  });

  it('keeps a row that left the list in its place, in its last known state', () => {
    const gone = { id: 'b', status: 'cancelled' };
    const out = heldOrder(['a', 'b', 'c'], [{ id: 'a', status: 'pending' }, { id: 'c', status: 'pending' }], idOf, (id) => (id === 'b' ? gone : undefined));
    expect(out.map(idOf)).toEqual(['a', 'b', 'c']);
    expect(out[1]).toBe(gone);
  });

  it('puts rows that arrived meanwhile at the end, and drops rows it knows nothing of', () => {
    const live = [{ id: 'new', status: 'pending' }, { id: 'a', status: 'pending' }];
    expect(heldOrder(['a', 'lost'], live, idOf, () => undefined).map(idOf)).toEqual(['a', 'new']);
  });
});
