import type { EventStore } from './createEventStore';
import type { EventKey, EventsSort } from './eventsCursor';

export interface EventsQuery {
  /** Whether the event at this store position matches every filter. */
  matches(index: number): boolean;
  sort: EventsSort;
  limit: number;
  /** The page right after this key, in `sort` order… */
  after?: EventKey;
  /** …or the page right before it, still listed in `sort` order. */
  before?: EventKey;
}

export interface EventsPage {
  /** Store positions, in `sort` order. */
  indices: number[];
  /** Whether a matching event comes before the first one of the page. */
  hasBefore: boolean;
  /** Whether a matching event comes after the last one of the page. */
  hasAfter: boolean;
}

/**
 * Keyset paging over the store. The store is ascending by id and by (created_at, id) alike (see
 * `createEventStore`), so both sort fields walk it in array order, forwards for `+` and backwards
 * for `-`, and a cursor's position is found by binary search rather than by sorting.
 */
export function queryEvents(store: EventStore, query: EventsQuery): EventsPage {
  const { records, createdAtMs } = store;
  const count = records.length;
  const { sort, limit, matches } = query;
  /** Store position of the k-th event in sort order. */
  const at = (k: number): number => (sort.descending ? count - 1 - k : k);
  /** Negative when the k-th event comes before `key` in sort order, 0 when it is `key`. */
  const compare = (k: number, key: EventKey): number => {
    const index = at(k);
    let order = 0;
    if (sort.field === 'created_at') order = (createdAtMs[index] as number) - key.createdAtMs;
    if (order === 0) order = (records[index] as { id: number }).id - key.id;
    return sort.descending ? -order : order;
  };
  /** The first position k whose event does not come before `key` (strictly after if `strict`). */
  const seek = (key: EventKey, strict: boolean): number => {
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >> 1;
      const order = compare(middle, key);
      if (order < 0 || (strict && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const anyMatch = (from: number, step: 1 | -1): boolean => {
    for (let k = from; k >= 0 && k < count; k += step) if (matches(at(k))) return true;
    return false;
  };

  const positions: number[] = [];
  if (query.before) {
    for (let k = seek(query.before, false) - 1; k >= 0 && positions.length < limit; k--) {
      if (matches(at(k))) positions.push(k);
    }
    positions.reverse();
  } else {
    const start = query.after ? seek(query.after, true) : 0;
    for (let k = start; k < count && positions.length < limit; k++) {
      if (matches(at(k))) positions.push(k);
    }
  }
  const first = positions[0];
  const last = positions[positions.length - 1];
  if (first === undefined || last === undefined) {
    return { indices: [], hasBefore: false, hasAfter: false };
  }
  return {
    indices: positions.map(at),
    hasBefore: anyMatch(first - 1, -1),
    hasAfter: anyMatch(last + 1, 1),
  };
}
