import { badUserInput } from '../errors/errors';
import type { EventPosition } from './eventCursor';
import { decodeCursor } from './eventCursor';
import { connectionKey } from './opaqueCursor';
import type { EventWindow } from './eventWindow';
import { upstreamWindowParams } from './eventWindow';
import { oneLoginInstant } from './oneLoginInstant';
import { oneLoginInteger } from './oneLoginId';
import { readPagingArguments } from './pagingArguments';
import { hasControlCharacter } from './textArgument';

const MAX_EVENT_TYPE_IDS = 50;
const MAX_TEXT_FILTER_LENGTH = 200;

export interface EventsQueryInput {
  filter?: {
    eventTypeIds?: readonly string[] | null;
    userId?: string | null;
    clientId?: string | null;
    directoryId?: string | null;
    resolution?: string | null;
    since?: Date | null;
    until?: Date | null;
  } | null;
  orderBy?: { field: 'CREATED_AT' | 'ID'; direction: 'ASC' | 'DESC' } | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface EventOrder {
  field: 'created_at' | 'id';
  direction: 'asc' | 'desc';
}

/** A validated `events` query, ready for OneLogin. */
export interface EventsQueryPlan {
  /** OneLogin filter parameters. */
  params: Readonly<Record<string, string>>;
  order: EventOrder;
  /** Binds cursors to this filter and order. */
  key: string;
  mode: 'forward' | 'backward';
  count: number;
  /** The position of `after` (forward) or `before` (backward), if given. */
  cursor: EventPosition | null;
  cursorArgument: 'after' | 'before';
  /** The gateway's `[since, until)`; null without either (see eventWindow.ts). */
  window: EventWindow | null;
}

/**
 * Checks every argument of `Query.events` and maps it onto OneLogin's
 * parameters, before any upstream call. Each error names the argument and
 * says what to fix.
 */
export function planEventsQuery(
  input: EventsQueryInput,
  paging: { defaultPageSize: number; maxPageSize: number },
): EventsQueryPlan {
  const { mode, count, cursorArgument, cursor: cursorText } = readPagingArguments(input, paging);

  const { params, window } = filterParams(input.filter ?? {});
  const orderBy = input.orderBy ?? { field: 'CREATED_AT', direction: 'DESC' };
  const order: EventOrder = {
    field: orderBy.field === 'ID' ? 'id' : 'created_at',
    direction: orderBy.direction === 'ASC' ? 'asc' : 'desc',
  };
  const key = connectionKey({ params, order, window });

  let cursor: EventPosition | null = null;
  if (cursorText != null) {
    const decoded = decodeCursor(key, cursorText);
    if (!decoded.ok) {
      throw badUserInput(
        decoded.reason === 'malformed'
          ? `\`${cursorArgument}\` is not a cursor of this connection: pass an edge \`cursor\`, \`startCursor\` or \`endCursor\` exactly as the gateway returned it.`
          : `\`${cursorArgument}\` is a cursor from a different \`filter\` or \`orderBy\`: page with the same filter and order the cursor came from, or start again without \`${cursorArgument}\`.`,
        cursorArgument,
      );
    }
    cursor = decoded.position;
  }
  return { params, order, key, mode, count, cursor, cursorArgument, window };
}

/** The upstream `sort` value, e.g. `-created_at`; `reversed` flips the direction. */
export function sortParam(order: EventOrder, reversed: boolean): string {
  const ascending = (order.direction === 'asc') !== reversed;
  return `${ascending ? '+' : '-'}${order.field}`;
}

function filterParams(filter: NonNullable<EventsQueryInput['filter']>): {
  params: Record<string, string>;
  window: EventWindow | null;
} {
  const params: Record<string, string> = {};
  if (filter.eventTypeIds != null) {
    if (filter.eventTypeIds.length === 0) {
      throw badUserInput(
        '`filter.eventTypeIds` must not be empty: omit it to include every event type.',
        'filter.eventTypeIds',
      );
    }
    if (filter.eventTypeIds.length > MAX_EVENT_TYPE_IDS) {
      throw badUserInput(
        `\`filter.eventTypeIds\` takes at most ${MAX_EVENT_TYPE_IDS} ids (got ${filter.eventTypeIds.length}).`,
        'filter.eventTypeIds',
      );
    }
    const ids = filter.eventTypeIds.map((id) => oneLoginInteger(id, 'filter.eventTypeIds'));
    // Sorted: the same set of types is the same filter, whatever the order given.
    params['event_type_id'] = [...new Set(ids)].sort((a, b) => Number(a) - Number(b)).join(',');
  }
  if (filter.userId != null) params['user_id'] = oneLoginInteger(filter.userId, 'filter.userId');
  if (filter.clientId != null) params['client_id'] = text(filter.clientId, 'filter.clientId');
  if (filter.directoryId != null)
    params['directory_id'] = oneLoginInteger(filter.directoryId, 'filter.directoryId');
  if (filter.resolution != null)
    params['resolution'] = text(filter.resolution, 'filter.resolution');
  const sinceMs = filter.since != null ? oneLoginInstant(filter.since, 'filter.since') : null;
  const untilMs = filter.until != null ? oneLoginInstant(filter.until, 'filter.until') : null;
  if (sinceMs !== null && untilMs !== null && untilMs <= sinceMs) {
    throw badUserInput(
      `\`filter.until\` (${new Date(untilMs).toISOString()}) must be after \`filter.since\` (${new Date(sinceMs).toISOString()}).`,
      'filter.until',
    );
  }
  const window = sinceMs === null && untilMs === null ? null : { sinceMs, untilMs };
  if (window) Object.assign(params, upstreamWindowParams(window));
  return { params, window };
}

function text(value: string, argument: string): string {
  if (value.length === 0 || value.length > MAX_TEXT_FILTER_LENGTH || hasControlCharacter(value)) {
    throw badUserInput(
      `\`${argument}\` must be 1 to ${MAX_TEXT_FILTER_LENGTH} characters without control characters.`,
      argument,
    );
  }
  return value;
}
