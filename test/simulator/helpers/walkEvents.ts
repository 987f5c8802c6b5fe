import type { EventRecord, SimulatorHandle } from '../../../src/simulator';
import { getEvents } from './simulatorClient';
import type { EventsPage } from './simulatorClient';

export interface Walk {
  pages: EventsPage[];
  events: EventRecord[];
}

/** Follows `after_cursor` from the first page until it is null; `betweenPages` runs before each next page. */
export async function walkForward(
  simulator: SimulatorHandle,
  token: string,
  query: string,
  betweenPages: () => Promise<void> = async () => undefined,
): Promise<Walk> {
  const pages: EventsPage[] = [];
  let cursor: string | null = null;
  do {
    if (cursor !== null) await betweenPages();
    const separator = query === '' ? '' : '&';
    const page: EventsPage = await getEvents(
      simulator,
      token,
      cursor === null ? query : `${query}${separator}after_cursor=${encodeURIComponent(cursor)}`,
    );
    pages.push(page);
    cursor = page.pagination.after_cursor;
  } while (cursor !== null && pages.length < 10_000);
  return { pages, events: pages.flatMap((page) => page.data) };
}

/**
 * Walks to the last page, then follows `before_cursor` back to the first; the events come back in
 * the query's order, pages prepended as they arrive.
 */
export async function walkBackward(
  simulator: SimulatorHandle,
  token: string,
  query: string,
): Promise<Walk> {
  const forward = await walkForward(simulator, token, query);
  const last = forward.pages[forward.pages.length - 1] as EventsPage;
  const pages: EventsPage[] = [last];
  let cursor = last.pagination.before_cursor;
  const separator = query === '' ? '' : '&';
  while (cursor !== null && pages.length < 10_000) {
    const page = await getEvents(
      simulator,
      token,
      `${query}${separator}before_cursor=${encodeURIComponent(cursor)}`,
    );
    pages.unshift(page);
    cursor = page.pagination.before_cursor;
  }
  return { pages, events: pages.flatMap((page) => page.data) };
}
