import { describe, expect, it } from 'vitest';
import { placementAfterMove } from '../../../renderer/src/lib/move-placement.ts';

const j = (id: string, priority: number, position: number) => ({ mobilesd_job_id: id, priority, position });
// Queue order: priority first (higher runs sooner), then position.
const others = [j('hi1', 10, 1), j('hi2', 10, 2), j('mid', 5, 3), j('lo', 1, 4)];

describe('placementAfterMove', () => {
  it('a priority-5 job dropped between two priority-10 jobs becomes priority 10', () => {
    expect(placementAfterMove(j('x', 5, 9), others, { after: 'hi1' })).toEqual({ priority: 10, position: 1.5 });
  });

  it('a move inside its own priority group keeps its priority', () => {
    expect(placementAfterMove(j('x', 5, 9), others, { before: 'mid' }).priority).toBe(10);
    expect(placementAfterMove(j('x', 5, 9), others, { after: 'mid' })).toEqual({ priority: 5, position: 4 });
  });

  it('to the top takes the highest priority, to the bottom the lowest', () => {
    expect(placementAfterMove(j('x', 5, 9), others, { to: 'top' })).toEqual({ priority: 10, position: 0 });
    expect(placementAfterMove(j('x', 5, 9), others, { to: 'bottom' })).toEqual({ priority: 1, position: 5 });
  });

  it('alone in the queue nothing changes', () => {
    expect(placementAfterMove(j('x', 5, 9), [], { to: 'top' })).toEqual({ priority: 5, position: 9 });
  });
});
