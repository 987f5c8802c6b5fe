import type { EventDto } from '../upstream/dto';
import type { EventPosition, UpstreamCursor } from './eventCursor';

/** OneLogin returns at most 50 events per page (API.md §3.1). */
export const UPSTREAM_PAGE_SIZE = 50;

/** How far the pager reads on to find a cursor's event after newer events pushed it down a page. */
const MAX_SCAN_PAGES = 4;

export interface UpstreamPageRequest {
  /** List in the reverse of the connection's order. */
  reversed: boolean;
  cursor: UpstreamCursor | null;
  limit: number;
}

export interface UpstreamPage {
  items: EventDto[];
  afterCursor: string | null;
  beforeCursor: string | null;
}

export type FetchPage = (request: UpstreamPageRequest) => Promise<UpstreamPage>;

export interface PagedEvent {
  event: EventDto;
  position: EventPosition;
}

export type WalkStart =
  /** From the first event of the (possibly reversed) order. */
  | { kind: 'beginning'; reversed: boolean }
  /** From the event at a cursor's position, excluding it. */
  | { kind: 'position'; position: EventPosition };

export interface WalkResult {
  /** Events in walk order. */
  events: PagedEvent[];
  /** More events follow the last one in walk order. */
  hasMore: boolean;
}

/** The event a cursor points at is no longer where OneLogin's cursor said. */
export class CursorNotFoundError extends Error {
  override name = 'CursorNotFoundError';
}

/**
 * Walks OneLogin's keyset pages from a start, forwards (following
 * `after_cursor`) or backwards (following `before_cursor`) in the order of the
 * requests, until `count` events are collected. It relies only on what
 * OneLogin's cursors promise: a request with `after_cursor` returns the events
 * right after the page that issued it, one with `before_cursor` the events
 * right before, both listed in the request's sort order.
 *
 * Starting from an event in the middle of a page, it reads that page again
 * (the same request) and continues after or before the event.
 */
export async function walkEvents(
  fetchPage: FetchPage,
  start: WalkStart,
  direction: 'forward' | 'backward',
  count: number,
  /**
   * Which of OneLogin's events belong to the connection (e.g. inside the
   * gateway's exact time window). The others are skipped, but pages and
   * positions stay OneLogin's, so cursors keep costing one call to resume.
   */
  accept: (event: EventDto) => boolean = () => true,
): Promise<WalkResult> {
  const events: PagedEvent[] = [];
  const limitFor = () => Math.min(UPSTREAM_PAGE_SIZE, Math.max(1, count - events.length));
  const reversed = start.kind === 'beginning' ? start.reversed : start.position.reversed;

  /**
   * Takes the page's events at `indices` (walk order); true when `count` is
   * reached with an accepted event left on the page. (Skipped events left on
   * the page do not count: `hasMore` then depends on OneLogin's cursor.)
   */
  const take = (page: UpstreamPage, request: UpstreamPageRequest, indices: number[]): boolean => {
    for (let k = 0; k < indices.length; k += 1) {
      const i = indices[k] as number;
      const event = page.items[i] as EventDto;
      if (!accept(event)) continue;
      if (events.length === count) return true;
      events.push({ event, position: positionOf(page, request, i, accept) });
    }
    return false;
  };
  const continuation = (page: UpstreamPage): UpstreamPageRequest | null => {
    if (page.items.length === 0) return null; // an empty page ends the walk, whatever its cursors say
    const token = direction === 'forward' ? page.afterCursor : page.beforeCursor;
    return token
      ? {
          reversed,
          cursor: { kind: direction === 'forward' ? 'after' : 'before', token },
          limit: limitFor(),
        }
      : null;
  };
  /** Page indices from `from` to the page's end in walk order (empty when `from` is past it). */
  const indicesFrom = (page: UpstreamPage, from: number) => {
    const out: number[] = [];
    if (direction === 'forward') for (let i = from; i < page.items.length; i += 1) out.push(i);
    else for (let i = from; i >= 0; i -= 1) out.push(i);
    return out;
  };
  const walkOrder = (page: UpstreamPage) =>
    indicesFrom(page, direction === 'forward' ? 0 : page.items.length - 1);

  let next: UpstreamPageRequest | null;
  if (count <= 0) return { events, hasMore: false };
  if (start.kind === 'beginning') {
    next = { reversed, cursor: null, limit: limitFor() };
  } else {
    const at = start.position;
    if (direction === 'forward' && at.after) {
      next = { reversed, cursor: { kind: 'after', token: at.after }, limit: limitFor() };
    } else if (direction === 'backward' && at.before) {
      next = { reversed, cursor: { kind: 'before', token: at.before }, limit: limitFor() };
    } else {
      // Read the event's own page again and carry on from the event.
      let request: UpstreamPageRequest = { reversed, cursor: at.cursor, limit: at.limit };
      let page = await fetchPage(request);
      let index = indexOfEvent(page, at.id);
      for (
        let scanned = 0;
        index < 0 && page.afterCursor && page.items.length > 0 && scanned < MAX_SCAN_PAGES;
        scanned += 1
      ) {
        // Newer events arrived at the head of the list and pushed it further on.
        request = {
          reversed,
          cursor: { kind: 'after', token: page.afterCursor },
          limit: UPSTREAM_PAGE_SIZE,
        };
        page = await fetchPage(request);
        index = indexOfEvent(page, at.id);
      }
      if (index < 0) throw new CursorNotFoundError(`event ${at.id} is no longer on its page`);
      const indices = indicesFrom(page, direction === 'forward' ? index + 1 : index - 1);
      if (take(page, request, indices)) return { events, hasMore: true };
      next = continuation(page);
      if (events.length === count) return { events, hasMore: next !== null };
    }
  }
  while (next) {
    const request: UpstreamPageRequest = next;
    const page = await fetchPage(request);
    if (take(page, request, walkOrder(page))) return { events, hasMore: true };
    next = continuation(page);
    if (events.length === count) return { events, hasMore: next !== null };
  }
  return { events, hasMore: false };
}

/**
 * Whether a walk from the event at `at`, going `direction`, starts by reading
 * the event's own page again (as `walkEvents` does when the cursor holds no
 * OneLogin cursor for that way): one call more than its pages of 50.
 */
export function rereadsPageOf(at: EventPosition, direction: 'forward' | 'backward'): boolean {
  return !(direction === 'forward' ? at.after : at.before);
}

function indexOfEvent(page: UpstreamPage, id: string): number {
  return page.items.findIndex((event) => String(event.id) === id);
}

/**
 * An event's position: its page's request, and OneLogin's own cursor as a
 * shortcut when the event is the last (first) one of its page the walk
 * accepts, so that resuming from it costs one call even when the page ends
 * with skipped events (the connection's key, window included, is the same on
 * resuming, so the same events are skipped).
 */
function positionOf(
  page: UpstreamPage,
  request: UpstreamPageRequest,
  index: number,
  accept: (event: EventDto) => boolean,
): EventPosition {
  const items = page.items;
  // Stops at the first accepted neighbour: O(1) per event when nothing is skipped.
  let lastAccepted = true;
  for (let j = index + 1; j < items.length && lastAccepted; j += 1)
    lastAccepted = !accept(items[j] as EventDto);
  let firstAccepted = true;
  for (let j = index - 1; j >= 0 && firstAccepted; j -= 1)
    firstAccepted = !accept(items[j] as EventDto);
  return {
    reversed: request.reversed,
    cursor: request.cursor,
    limit: request.limit,
    id: String((items[index] as EventDto).id),
    ...(lastAccepted && page.afterCursor ? { after: page.afterCursor } : {}),
    ...(firstAccepted && page.beforeCursor ? { before: page.beforeCursor } : {}),
  };
}
