import type { SimulatorState } from '../SimulatorState';
import { EVENT_FIELDS } from '../data/eventFields';
import { decodeEventsCursor, encodeEventsCursor, formatSort } from '../eventsCursor';
import type { EventKey, EventsSort } from '../eventsCursor';
import { parseInstant } from '../parseInstant';
import { queryEvents } from '../queryEvents';
import type { EventsQuery } from '../queryEvents';
import { JSON_CONTENT_TYPE, SUCCESS_STATUS, apiError, jsonResponse } from '../responses';
import type { SimRequest, SimResponse } from '../responses';
import type { EventRecord } from '../types';

const MAX_INTEGER = 2_147_483_647;
const MIN_INTEGER = -2_147_483_648;
const PAGE_SIZE = 50;

/** [I] Default order: ascending id. See `parseSort`. */
const DEFAULT_SORT: EventsSort = { field: 'id', descending: false };

class BadRequest extends Error {}

/** The last value of a query parameter (Rails semantics), or undefined when absent or empty. */
function lastValue(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  const value = values[values.length - 1];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * An int32, as the live API validates numeric filters server side: over 2147483647 it answers
 * 400 "Integer value must be <= 2147483647" (API.md §3.1, ISS-PY56).
 */
function parseInteger(name: string, raw: string): number {
  const value = raw.trim();
  if (!/^[+-]?\d+$/.test(value)) throw new BadRequest(`${name} must be an integer`);
  const number = Number(value);
  if (number > MAX_INTEGER) throw new BadRequest(`Integer value must be <= ${MAX_INTEGER}`);
  if (number < MIN_INTEGER) throw new BadRequest(`Integer value must be >= ${MIN_INTEGER}`);
  return number;
}

function parseInstantParam(name: string, raw: string): number {
  const value = parseInstant(raw);
  if (value === null) {
    throw new BadRequest(`${name} must be an ISO-8601 date-time such as 2018-11-01T19:44:55.000Z`);
  }
  return value;
}

/**
 * `sort`: `+id`, `-id`, `+created_at`, `-created_at`, or a bare field for ascending. An unencoded
 * `+` reaches the server as a space, so a leading space reads as `+`.
 *
 * [I] The default order is not documented (API.md §14). Ascending id: StreamAlert and XSOAR page
 * without `sort` and take the last event of the last page as the newest one, so the live default
 * must be oldest first, and the live cursor carries only the event id, so the order is by id.
 */
function parseSort(raw: string | undefined): EventsSort {
  if (raw === undefined) return DEFAULT_SORT;
  const value = raw.startsWith(' ') ? `+${raw.trimStart()}` : raw.trim();
  const match = /^([+-]?)(id|created_at)$/.exec(value);
  if (!match) throw new BadRequest(`Invalid sort field: ${value}`);
  return { field: match[2] as EventsSort['field'], descending: match[1] === '-' };
}

/** `limit`: 50 by default and at most ("returns up to 50 events per page"); larger is clamped. */
function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return PAGE_SIZE;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new BadRequest('limit must be a positive integer');
  }
  return Math.min(PAGE_SIZE, Number(value));
}

/**
 * `fields`: only these fields, and always `id` (D-QP1). Unknown names are ignored rather than
 * refused: nothing documents an error for them, and the doc's own example carries a stray space
 * (`fields= created_at,event_type_id,user_id`), so entries are trimmed.
 */
function parseFields(raw: string | undefined): ReadonlyArray<keyof EventRecord> | null {
  if (raw === undefined) return null;
  const wanted = new Set(raw.split(',').map((name) => name.trim()));
  return EVENT_FIELDS.filter((field) => field === 'id' || wanted.has(field));
}

function project(
  record: EventRecord,
  fields: ReadonlyArray<keyof EventRecord> | null,
): Partial<EventRecord> {
  if (fields === null) return record;
  const projected: Record<string, unknown> = {};
  for (const field of fields) projected[field] = record[field];
  return projected as Partial<EventRecord>;
}

function parseCursor(state: SimulatorState, raw: string, sort: EventsSort): EventKey {
  const cursor = decodeEventsCursor(raw);
  if (
    cursor === null ||
    cursor.accountId !== state.accountId ||
    formatSort(cursor.sort) !== formatSort(sort)
  ) {
    throw new BadRequest('Invalid pagination cursor');
  }
  return cursor.key;
}

/** The filters of API.md §3.1 as one predicate over store positions. */
function parseFilters(state: SimulatorState, query: URLSearchParams): (index: number) => boolean {
  const { records, createdAtMs } = state.store;
  const checks: Array<(index: number) => boolean> = [];
  const integerFilter = (name: 'id' | 'user_id' | 'directory_id'): void => {
    const raw = lastValue(query, name);
    if (raw === undefined) return;
    const wanted = parseInteger(name, raw);
    checks.push((index) => (records[index] as EventRecord)[name] === wanted);
  };
  integerFilter('id');
  integerFilter('user_id');
  integerFilter('directory_id');

  // The comma list is documented (`?event_type_id=8,13`); the OAS's repeated form is accepted too.
  const typeIds = query
    .getAll('event_type_id')
    .flatMap((value) => value.split(','))
    .filter((value) => value.trim() !== '')
    .map((value) => parseInteger('event_type_id', value));
  if (typeIds.length > 0) {
    const wanted = new Set(typeIds);
    checks.push((index) => wanted.has((records[index] as EventRecord).event_type_id));
  }

  // client_id is a 64-character string on events, but the OAS types the filter as an integer;
  // a numeric value is validated as one (and matches nothing).
  const clientId = lastValue(query, 'client_id');
  if (clientId !== undefined) {
    if (/^\s*[+-]?\d+\s*$/.test(clientId)) parseInteger('client_id', clientId);
    checks.push((index) => (records[index] as EventRecord).client_id === clientId);
  }
  const resolution = lastValue(query, 'resolution');
  if (resolution !== undefined) {
    checks.push((index) => (records[index] as EventRecord).resolution === resolution);
  }
  const createdAt = lastValue(query, 'created_at');
  if (createdAt !== undefined) {
    const wanted = parseInstantParam('created_at', createdAt);
    checks.push((index) => createdAtMs[index] === wanted);
  }
  // The evidence conflicts (API.md §3.1). The official Get Events page (S-GE) says "precision
  // for these filters is to the second but the millisecond value should be included" and
  // returns events "created after since, but before until"; a second official page says
  // "before" too. Only XSOAR's README (XS README, a third party) calls both bounds inclusive.
  // The simulator follows the official pages by default: bounds and created_at truncated to
  // whole seconds, both bounds exclusive. `window` (SimulatorOptions.eventWindow) selects the
  // other readings, so that the gateway is tested against each.
  const window = state.eventWindow;
  const precision = window.precision === 'second' ? 1000 : 1;
  const at = (index: number) => Math.floor((createdAtMs[index] as number) / precision);
  const since = lastValue(query, 'since');
  if (since !== undefined) {
    const bound = Math.floor(parseInstantParam('since', since) / precision);
    checks.push(
      window.bounds === 'inclusive' ? (index) => at(index) >= bound : (index) => at(index) > bound,
    );
  }
  const until = lastValue(query, 'until');
  if (until !== undefined) {
    const bound = Math.floor(parseInstantParam('until', until) / precision);
    checks.push(
      window.bounds === 'inclusive' ? (index) => at(index) <= bound : (index) => at(index) < bound,
    );
  }
  return (index) => checks.every((check) => check(index));
}

function pageLink(
  request: SimRequest,
  name: 'after_cursor' | 'before_cursor',
  cursor: string,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of request.query) {
    if (key !== 'after_cursor' && key !== 'before_cursor') params.append(key, value);
  }
  params.append(name, cursor);
  return `${request.origin}/api/1/events?${params.toString()}`;
}

/** `GET /api/1/events` (API.md §3). */
export function handleListEvents(state: SimulatorState, request: SimRequest): SimResponse {
  const { query } = request;
  try {
    const sort = parseSort(lastValue(query, 'sort'));
    const limit = parseLimit(lastValue(query, 'limit'));
    const fields = parseFields(lastValue(query, 'fields'));
    const after = lastValue(query, 'after_cursor');
    const before = lastValue(query, 'before_cursor');
    if (after !== undefined && before !== undefined) {
      throw new BadRequest('Use either after_cursor or before_cursor, not both');
    }
    const eventsQuery: EventsQuery = { matches: parseFilters(state, query), sort, limit };
    if (after !== undefined) eventsQuery.after = parseCursor(state, after, sort);
    if (before !== undefined) eventsQuery.before = parseCursor(state, before, sort);

    const page = queryEvents(state.store, eventsQuery);
    const records = page.indices.map((index) => state.store.records[index] as EventRecord);
    const cursorAt = (record: EventRecord | undefined): string | null =>
      record === undefined
        ? null
        : encodeEventsCursor({
            accountId: state.accountId,
            sort,
            key: { createdAtMs: Date.parse(record.created_at), id: record.id },
          });
    const beforeCursor = page.hasBefore ? cursorAt(records[0]) : null;
    const afterCursor = page.hasAfter ? cursorAt(records[records.length - 1]) : null;
    return jsonResponse(200, {
      status: SUCCESS_STATUS,
      pagination: {
        before_cursor: beforeCursor,
        after_cursor: afterCursor,
        previous_link:
          beforeCursor === null ? null : pageLink(request, 'before_cursor', beforeCursor),
        next_link: afterCursor === null ? null : pageLink(request, 'after_cursor', afterCursor),
      },
      data: records.map((record) => project(record, fields)),
    });
  } catch (error) {
    if (error instanceof BadRequest) return apiError(400, error.message);
    throw error;
  }
}

/**
 * `GET /api/1/events/:id` (API.md §5): `data` is a one-element array, as the live API and every
 * hand-written SDK have it (the OAS's single object is wrong).
 */
export function handleGetEvent(
  state: SimulatorState,
  request: SimRequest,
  rawId: string,
): SimResponse {
  try {
    const id = parseInteger('id', decodeURIComponent(rawId));
    const index = state.store.indexOfId(id);
    // [I] The 404 body is undocumented (API.md §14); this is the /1 envelope D-RL shows for 404.
    if (index < 0) return apiError(404, `Event ${id} not found`);
    const fields = parseFields(lastValue(request.query, 'fields'));
    return jsonResponse(200, {
      status: SUCCESS_STATUS,
      data: [project(state.store.records[index] as EventRecord, fields)],
    });
  } catch (error) {
    if (error instanceof BadRequest) return apiError(400, error.message);
    if (error instanceof URIError) return apiError(400, 'id must be an integer');
    throw error;
  }
}

/** The catalogue never changes, so each simulator serialises it once. */
const eventTypesBodies = new WeakMap<SimulatorState, string>();

/** `GET /api/1/events/types` (API.md §4): every type, not paginated, in the doc's key order. */
export function handleEventTypes(state: SimulatorState): SimResponse {
  let body = eventTypesBodies.get(state);
  if (body === undefined) {
    body = JSON.stringify({
      status: SUCCESS_STATUS,
      data: state.eventTypes.map(({ id, name, description }) => ({ name, description, id })),
    });
    eventTypesBodies.set(state, body);
  }
  return { status: 200, headers: { 'Content-Type': JSON_CONTENT_TYPE }, body };
}
