import type { EventRecord } from '../../../src/simulator';

/** What a query asks for, stated plainly for the oracle. */
export interface Selection {
  eventTypeIds?: number[];
  userId?: number;
  directoryId?: number;
  clientId?: string;
  resolution?: string;
  /** Exclusive lower bound on created_at, epoch ms, compared in whole seconds (OneLogin's reading). */
  since?: number;
  /** Exclusive upper bound on created_at, epoch ms, compared in whole seconds. */
  until?: number;
  sort: '+id' | '-id' | '+created_at' | '-created_at';
}

/**
 * The oracle the paging tests check the simulator against: a plain filter and sort over
 * `data.events()`, written without the simulator's keyset code.
 */
export function selectEvents(
  events: ReadonlyArray<EventRecord>,
  selection: Selection,
): EventRecord[] {
  const chosen = events.filter((event) => {
    const second = (ms: number) => Math.floor(ms / 1000);
    const at = second(Date.parse(event.created_at));
    return (
      (selection.eventTypeIds === undefined ||
        selection.eventTypeIds.includes(event.event_type_id)) &&
      (selection.userId === undefined || event.user_id === selection.userId) &&
      (selection.directoryId === undefined || event.directory_id === selection.directoryId) &&
      (selection.clientId === undefined || event.client_id === selection.clientId) &&
      (selection.resolution === undefined || event.resolution === selection.resolution) &&
      (selection.since === undefined || at > second(selection.since)) &&
      (selection.until === undefined || at < second(selection.until))
    );
  });
  const descending = selection.sort.startsWith('-');
  const byCreatedAt = selection.sort.endsWith('created_at');
  return chosen.sort((a, b) => {
    let order = byCreatedAt ? Date.parse(a.created_at) - Date.parse(b.created_at) : 0;
    if (order === 0) order = a.id - b.id;
    return descending ? -order : order;
  });
}
