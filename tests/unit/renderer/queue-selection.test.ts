import { describe, expect, it } from 'vitest';
import { useQueueSelection } from '../../../renderer/src/composables/use-queue-selection.ts';
import { waitsUntilLabel } from '../../../renderer/src/lib/not-before.ts';

const ids = ['a', 'b', 'c', 'd', 'e'];
const make = () => useQueueSelection({ orderedIds: () => ids, total: () => 40, filter: () => ({ status: ['pending'], q: 'cat' }) });

describe('queue selection', () => {
  it('toggles single rows and selects a range with shift from the last row clicked', () => {
    const s = make();
    s.toggle('b', false);
    s.toggle('d', true);
    expect(s.target()).toEqual({ ids: ['b', 'c', 'd'] });
    s.toggle('c', false);
    expect(s.target()).toEqual({ ids: ['b', 'd'] });
    s.toggle('a', true); // from c (now off) to a: the range is switched on
    expect([...s.selected.value].sort()).toEqual(['a', 'b', 'c', 'd']);
    s.toggle('d', false);
    s.toggle('b', true); // from d (off) to b (on): switched off
    expect([...s.selected.value]).toEqual(['a']);
  });

  it('"all matching" counts the whole filter and sends the filter, not ids; a click after it goes back to ids', () => {
    const s = make();
    s.selectLoaded();
    expect(s.allLoadedSelected.value).toBe(true);
    s.selectAllMatching();
    expect(s.count.value).toBe(40);
    expect(s.isSelected('zzz')).toBe(true);
    expect(s.target()).toEqual({ filter: { status: ['pending'], q: 'cat' } });
    s.toggle('e', false);
    expect(s.target()).toEqual({ ids: ['a', 'b', 'c', 'd'] });
    s.clear();
    expect(s.active.value).toBe(false);
  });
});

describe('waitsUntilLabel', () => {
  const now = new Date(2026, 5, 1, 20, 0).getTime();
  it('names the time today, the day too when later, and nothing once it is due', () => {
    expect(waitsUntilLabel(new Date(2026, 5, 1, 23, 0).toISOString(), now)).toMatch(/^waits until 11:00\s?PM$|^waits until 23:00$/);
    expect(waitsUntilLabel(new Date(2026, 5, 3, 7, 30).toISOString(), now)).toMatch(/^waits until .*3.* (07:30|0?7:30\s?AM)$/);
    expect(waitsUntilLabel(new Date(2026, 5, 1, 19, 0).toISOString(), now)).toBeNull();
    expect(waitsUntilLabel(null, now)).toBeNull();
  });
});
