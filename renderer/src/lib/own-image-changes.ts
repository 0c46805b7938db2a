/**
 * The gallery changes this tab is making itself (a rating, a favourite, a bulk action),
 * remembered until the engine's `image.updated` event for them comes back, so the tab can
 * tell the echo of its own change from a change made in another tab or on another device.
 * The echo needs neither a reload offer nor a re-read: the tab already shows the
 * change, and its own answer puts the saved image in place.
 *
 * The engine sends one event per request, listing exactly the images the request named
 * (or null when they were more than it lists), so an event is matched to one pending
 * change, by the same ids, and that change is then forgotten: a later event for the same
 * images comes from elsewhere. A change whose event never arrives (the request failed,
 * changed nothing, or the connection dropped) is forgotten after a while.
 */

/** An event lists at most this many ids; a larger change arrives as null ("many"). */
export const EVENT_MAX_IDS = 1000;
/** How long a change waits for its event: far longer than a request on a busy machine. */
export const OWN_CHANGE_WAIT_MS = 15_000;

export interface OwnChange {
  /** Sorted, unique; null: the tab does not know which images (a filter named them). */
  readonly ids: readonly number[] | null;
  readonly until: number;
}

/** What an `image.updated` event is to this tab. */
export type UpdateOrigin = 'own' | 'elsewhere';

const key = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);

export class OwnImageChanges {
  private pending: OwnChange[] = [];
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Call before sending the request: its event may arrive before its answer. */
  note(ids: readonly number[] | null): OwnChange {
    const change: OwnChange = { ids: ids ? key(ids) : null, until: this.now() + OWN_CHANGE_WAIT_MS };
    this.pending.push(change);
    return change;
  }

  /** The request failed or changed nothing: no event will come for it. */
  forget(change: OwnChange): void {
    this.pending = this.pending.filter((c) => c !== change);
  }

  /** Whose change an `image.updated` event reports; an own change is matched once. */
  classify(eventIds: readonly number[] | null): UpdateOrigin {
    const now = this.now();
    this.pending = this.pending.filter((c) => c.until > now);
    const i = this.pending.findIndex((c) => matches(c.ids, eventIds));
    if (i < 0) return 'elsewhere';
    this.pending.splice(i, 1);
    return 'own';
  }
}

/** Whether an event with these ids can be the echo of a change that named these. */
function matches(changeIds: readonly number[] | null, eventIds: readonly number[] | null): boolean {
  // A change by filter may have touched any images, up to more than an event lists.
  if (changeIds === null) return true;
  if (eventIds === null) return changeIds.length > EVENT_MAX_IDS;
  const event = key(eventIds);
  return event.length === changeIds.length && event.every((id, i) => id === changeIds[i]);
}
