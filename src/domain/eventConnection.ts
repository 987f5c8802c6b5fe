import { badUserInput } from '../errors/errors';
import type { EventDto } from '../upstream/dto';
import type { EventPosition } from './eventCursor';
import { encodeCursor } from './eventCursor';
import type { FetchPage, WalkStart } from './EventPager';
import { CursorNotFoundError, rereadsPageOf, UPSTREAM_PAGE_SIZE, walkEvents } from './EventPager';
import type { EventsQueryPlan } from './eventQuery';
import { windowContains } from './eventWindow';

/** What `Query.events` resolves to; `nodes` is derived from `edges`. */
export interface EventConnectionModel {
  edges: EventEdgeModel[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * An edge before its cursor is encoded: the cursor is only built when a query
 * selects it (see resolvers/event/EventEdge.ts), so pages that select `nodes`
 * pay nothing for cursors.
 */
export interface EventEdgeModel {
  node: EventDto;
  /** The connection's key (filter and order) the cursor is bound to. */
  key: string;
  position: EventPosition;
}

/**
 * The connection for a checked plan: walks OneLogin's pages through
 * `fetchPage` (which knows HTTP, the budget and the cache) and builds the
 * edges and page info, as failedProvisioningConnection does for its range.
 */
export async function buildEventConnection(
  plan: EventsQueryPlan,
  fetchPage: FetchPage,
): Promise<EventConnectionModel> {
  if (plan.count === 0) {
    return {
      edges: [],
      pageInfo: {
        hasNextPage: plan.mode === 'backward' && plan.cursor !== null,
        hasPreviousPage: plan.mode === 'forward' && plan.cursor !== null,
        startCursor: null,
        endCursor: null,
      },
    };
  }
  const { start, direction, reverseOutput } = walkPlan(plan);
  const { window } = plan;
  let walked;
  try {
    walked = await walkEvents(
      fetchPage,
      start,
      direction,
      plan.count,
      window ? (event) => windowContains(window, event) : undefined,
    );
  } catch (error) {
    if (error instanceof CursorNotFoundError) throw expiredCursorError(plan);
    throw error;
  }
  const events = reverseOutput ? walked.events.reverse() : walked.events;
  const edges = events.map(({ event, position }) => ({ node: event, key: plan.key, position }));
  const first = edges[0];
  const last = edges[edges.length - 1];
  return {
    edges,
    pageInfo: {
      hasNextPage: plan.mode === 'forward' ? walked.hasMore : plan.cursor !== null,
      hasPreviousPage: plan.mode === 'backward' ? walked.hasMore : plan.cursor !== null,
      startCursor: first ? encodeCursor(plan.key, first.position) : null,
      endCursor: last ? encodeCursor(plan.key, last.position) : null,
    },
  };
}

/** How a plan maps onto a walk: which order the requests list in, and which way to go. */
function walkPlan(plan: EventsQueryPlan): {
  start: WalkStart;
  direction: 'forward' | 'backward';
  reverseOutput: boolean;
} {
  const { cursor } = plan;
  if (plan.mode === 'forward') {
    // Events after the cursor, in the connection's order.
    if (!cursor)
      return {
        start: { kind: 'beginning', reversed: false },
        direction: 'forward',
        reverseOutput: false,
      };
    return {
      start: { kind: 'position', position: cursor },
      direction: walkDirection(plan.mode, cursor),
      reverseOutput: false,
    };
  }
  // Events before the cursor (or the last events): walked nearest first, returned in the connection's order.
  if (!cursor)
    return {
      start: { kind: 'beginning', reversed: true },
      direction: 'forward',
      reverseOutput: true,
    };
  return {
    start: { kind: 'position', position: cursor },
    direction: walkDirection(plan.mode, cursor),
    reverseOutput: true,
  };
}

/**
 * Which way the walk from a cursor goes through OneLogin's pages: the
 * connection's way, turned round when the cursor's page was listed reversed.
 */
function walkDirection(
  mode: 'forward' | 'backward',
  cursor: EventPosition,
): 'forward' | 'backward' {
  return (mode === 'forward') !== cursor.reversed ? 'forward' : 'backward';
}

/**
 * The most OneLogin calls a page of `count` events costs: one per 50 events
 * (OneLogin's page), none for 0, and one more when it resumes from an event in
 * the middle of an upstream page, whose page is read again. Leaves out what
 * cannot be known before the walk: retries, events outside the exact window
 * (`since`/`until`) that OneLogin's whole seconds let in, and the pages read
 * on to find an event that newer events pushed down.
 */
export function eventPageCalls(
  mode: 'forward' | 'backward',
  count: number,
  cursor: EventPosition | null | undefined,
): number {
  if (count <= 0) return 0;
  const reread = cursor && rereadsPageOf(cursor, walkDirection(mode, cursor)) ? 1 : 0;
  return Math.ceil(count / UPSTREAM_PAGE_SIZE) + reread;
}

/** The client's cursor can no longer be resumed: BAD_USER_INPUT saying to start again. */
export function expiredCursorError(plan: EventsQueryPlan) {
  return badUserInput(
    `\`${plan.cursorArgument}\` can no longer be resumed: OneLogin refused its cursor, or so many newer events arrived that its event moved out of reach. Start again without \`${plan.cursorArgument}\`.`,
    plan.cursorArgument,
  );
}
