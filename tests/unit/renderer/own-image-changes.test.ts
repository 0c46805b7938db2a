import { describe, expect, it } from 'vitest';
import { EVENT_MAX_IDS, OWN_CHANGE_WAIT_MS, OwnImageChanges } from '../../../renderer/src/lib/own-image-changes.ts';

function changes() {
  let now = 1_000;
  const own = new OwnImageChanges(() => now);
  return { own, pass: (ms: number) => (now += ms) };
}

describe('OwnImageChanges', () => {
  it('takes the event of a change this tab sent as its own, once', () => {
    const { own } = changes();
    own.note([7]);
    expect(own.classify([7])).toBe('own');
    // The next event for the same image comes from another tab or device.
    expect(own.classify([7])).toBe('elsewhere');
  });

  it('takes an event for other images, or for more or fewer images, as made elsewhere', () => {
    const { own } = changes();
    own.note([1, 2, 3]);
    expect(own.classify([4])).toBe('elsewhere');
    expect(own.classify([2])).toBe('elsewhere');
    expect(own.classify([1, 2, 3, 4])).toBe('elsewhere');
    // The tab's own event still matches afterwards, in any order and with repeats.
    expect(own.classify([3, 1, 2, 2])).toBe('own');
  });

  it('matches two changes to the same image to their two events', () => {
    const { own } = changes();
    own.note([5]);
    own.note([5]);
    expect(own.classify([5])).toBe('own');
    expect(own.classify([5])).toBe('own');
    expect(own.classify([5])).toBe('elsewhere');
  });

  it('forgets a change whose request failed or changed nothing', () => {
    const { own } = changes();
    const change = own.note([9]);
    own.forget(change);
    expect(own.classify([9])).toBe('elsewhere');
  });

  it('forgets a change whose event never came, after a while', () => {
    const { own, pass } = changes();
    own.note([3]);
    pass(OWN_CHANGE_WAIT_MS - 1);
    own.note([4]);
    pass(1);
    expect(own.classify([3])).toBe('elsewhere');
    expect(own.classify([4])).toBe('own');
  });

  it('takes a "many images" event as its own only when the tab changed more than an event lists', () => {
    const { own } = changes();
    own.note([1, 2]);
    expect(own.classify(null)).toBe('elsewhere');
    own.note(Array.from({ length: EVENT_MAX_IDS + 1 }, (_, i) => i + 1));
    expect(own.classify(null)).toBe('own');
    expect(own.classify(null)).toBe('elsewhere');
    expect(own.classify([1, 2])).toBe('own');
  });

  it('takes any one event as the echo of a change by filter, whose images the tab does not know', () => {
    const { own } = changes();
    own.note(null);
    expect(own.classify([11, 12])).toBe('own');
    expect(own.classify([11, 12])).toBe('elsewhere');
    own.note(null);
    expect(own.classify(null)).toBe('own');
  });
});
