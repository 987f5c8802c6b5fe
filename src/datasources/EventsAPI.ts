import type { EventConnectionModel } from '../domain/eventConnection';
import { buildEventConnection, expiredCursorError } from '../domain/eventConnection';
import { selectsMessage, upstreamFieldsFor } from '../domain/eventFields';
import type { FetchPage, UpstreamPage, UpstreamPageRequest } from '../domain/EventPager';
import type { EventsQueryInput, EventsQueryPlan } from '../domain/eventQuery';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import { planEventsQuery, sortParam } from '../domain/eventQuery';
import { upstreamWindowParams } from '../domain/eventWindow';
import { ErrorCode } from '../errors/ErrorCode';
import { isGraphQLErrorWithCode } from '../errors/errors';
import type { EventDto, EventField } from '../upstream/dto';
import type { OneLoginClient } from '../upstream/OneLoginClient';
import { upstreamError, upstreamStatusOf } from '../upstream/upstreamError';
import { mapWithConcurrency } from '../util/mapWithConcurrency';
import type { EventCache } from './EventCache';
import type { EventTypeCatalog } from './EventTypeCatalog';

export interface EventsAPIOptions {
  client: OneLoginClient;
  cache: EventCache;
  catalog: EventTypeCatalog;
  paging: { defaultPageSize: number; maxPageSize: number };
  /** OneLogin has no multi-id look-up: single GETs run at most this many at once. */
  lookupConcurrency?: number;
}

/**
 * OneLogin's events: `GET /api/1/events` (as Relay connections) and
 * `GET /api/1/events/{id}`. Shared by all requests; per-request batching lives
 * in the loaders built by createDataSources. Every method takes the request's
 * UpstreamBudget and charges it one call per OneLogin call.
 */
export class EventsAPI {
  constructor(private readonly options: EventsAPIOptions) {}

  /**
   * One page of a Relay connection over `GET /api/1/events`. `selection` names
   * the `Event` fields the query asks for; only their upstream fields are
   * requested (`fields=`).
   */
  async listEvents(
    input: EventsQueryInput,
    selection: readonly string[],
    budget: UpstreamBudget,
  ): Promise<EventConnectionModel> {
    const plan = planEventsQuery(input, this.options.paging);
    // The exact window is applied here, on `created_at` (see eventWindow.ts).
    const fields = withField(
      await this.fieldsFor(selection, budget),
      plan.window ? 'created_at' : undefined,
    );
    const fromClient = plan.cursor;
    const fetchPage: FetchPage = async (request) => {
      try {
        await budget.spend();
        return await this.fetchPage(plan, fields, request, budget);
      } catch (error) {
        // OneLogin refuses a cursor it no longer knows with a 400; when the cursor
        // came from the client's argument, the client has to start again.
        const clientToken =
          fromClient &&
          request.cursor &&
          [fromClient.after, fromClient.before, fromClient.cursor?.token].includes(
            request.cursor.token,
          );
        if (clientToken && upstreamStatusOf(error) === 400) throw expiredCursorError(plan);
        throw error;
      }
    };
    return buildEventConnection(plan, fetchPage);
  }

  /**
   * Events by id, in the order of `ids` (null where OneLogin has none): from the
   * cache when the cached copy has `fields`, otherwise one `GET /api/1/events/{id}`
   * each, a few at a time.
   */
  async getEvents(
    ids: readonly string[],
    selection: readonly string[],
    budget: UpstreamBudget,
  ): Promise<(EventDto | null | Error)[]> {
    const fields = await this.fieldsFor(selection, budget);
    const cached = await this.options.cache.getMany(ids, fields, budget.trace);
    const missing = ids.filter((_id, i) => cached[i] === undefined);
    const fetched = new Map<string, EventDto | null | Error>();
    let rateLimited: Error | undefined;
    await mapWithConcurrency(
      [...new Set(missing)],
      this.options.lookupConcurrency ?? 8,
      async (id) => {
        // Each id fails on its own: one failed GET must not null its neighbours.
        // Once the account's budget is spent, the rest are not even tried.
        if (rateLimited) {
          fetched.set(id, rateLimited);
          return;
        }
        try {
          await budget.spend();
          fetched.set(id, await this.fetchEvent(id, budget));
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          if (
            isGraphQLErrorWithCode(failure, ErrorCode.UPSTREAM_RATE_LIMITED) ||
            isGraphQLErrorWithCode(failure, ErrorCode.UPSTREAM_BUDGET_EXCEEDED)
          ) {
            rateLimited = failure;
          }
          fetched.set(id, failure);
        }
      },
    );
    const found = [...fetched.values()].filter(
      (event): event is EventDto => event !== null && !(event instanceof Error),
    );
    this.options.cache.remember(found, undefined);
    return ids.map((id, i) => cached[i] ?? fetched.get(id) ?? null);
  }

  /**
   * Every event of `GET /api/1/events` of one type (and user, when given)
   * created in `[since, until)` (until: none when null; OneLogin is asked for a
   * window of whole seconds around it), oldest first, with `fields`: up to `maxPages` pages
   * of 50, each charged to `budget`. `complete` is false when more remain; `pages`
   * says how many were read.
   * For finding an event whose write had an unknown outcome; the events are
   * not cached (they carry only the fields asked for).
   */
  async findEvents(
    filter: { eventTypeId: string; userId: string | null; sinceMs: number; untilMs: number | null },
    fields: readonly EventField[],
    budget: UpstreamBudget,
    maxPages: number,
  ): Promise<{ events: EventDto[]; complete: boolean; pages: number }> {
    const events: EventDto[] = [];
    let cursor: string | null = null;
    let pages = 0;
    while (pages < maxPages) {
      pages += 1;
      await budget.spend();
      const answer = await this.options.client.get(
        'GET /api/1/events',
        '/api/1/events',
        {
          event_type_id: filter.eventTypeId,
          user_id: filter.userId ?? undefined,
          ...upstreamWindowParams({ sinceMs: filter.sinceMs, untilMs: filter.untilMs }),
          sort: '+id',
          limit: '50',
          fields: fields.join(','),
          after_cursor: cursor ?? undefined,
        },
        budget,
      );
      const { items, afterCursor } = parseEventsPage(answer.status, answer.body);
      events.push(...items);
      if (afterCursor === null) return { events, complete: true, pages };
      cursor = afterCursor;
    }
    return { events, complete: false, pages };
  }

  /**
   * The events of `GET /api/1/events` listed since `sinceMs` (OneLogin gets a
   * window of whole seconds that holds it, see eventWindow.ts; the caller
   * drops what it has seen), with every field, ascending by id (`sort=+id`:
   * API.md §3.1 documents `+`/`-` sorting and `since` as "created after"),
   * filtered by OneLogin's own parameters (`params`, e.g. `event_type_id`):
   * up to `maxPages` pages of 50, each charged to `budget`, from `afterCursor`
   * when given (a walk an earlier call left unfinished, with the same query).
   * For the live feed (its poller and a subscriber's replay). `afterCursor` in
   * the answer is where to go on; null when the walk is complete.
   * The events are remembered in the event cache, whole.
   */
  async listEventsSince(
    query: { params: Readonly<Record<string, string>>; sinceMs: number; afterCursor?: string },
    budget: UpstreamBudget,
    maxPages: number,
    /** `partial`: a refusal of the budget after the first page returns what was read (with `refused`). */
    options: { partial?: boolean } = {},
  ): Promise<{ events: EventDto[]; afterCursor: string | null; refused?: unknown }> {
    const events: EventDto[] = [];
    let cursor: string | null = query.afterCursor ?? null;
    for (let pages = 0; pages < maxPages; pages++) {
      try {
        await budget.spend();
      } catch (error) {
        // Refused by the budget after some pages (the account's reserve keeps walks short
        // when it runs low): what was read stands, and the walk goes on from here later.
        if (!options.partial || events.length === 0) throw error;
        return { events, afterCursor: cursor, refused: error };
      }
      const answer = await this.options.client.get(
        'GET /api/1/events',
        '/api/1/events',
        {
          ...query.params,
          ...upstreamWindowParams({ sinceMs: query.sinceMs, untilMs: null }),
          sort: '+id',
          limit: '50',
          after_cursor: cursor ?? undefined,
        },
        budget,
      );
      const { items, afterCursor } = parseEventsPage(answer.status, answer.body);
      this.options.cache.remember(items, undefined);
      events.push(...items);
      if (afterCursor === null) return { events, afterCursor: null };
      cursor = afterCursor;
    }
    return { events, afterCursor: cursor };
  }

  private async fieldsFor(
    selection: readonly string[],
    budget: UpstreamBudget,
  ): Promise<EventField[] | undefined> {
    if (!selectsMessage(selection)) return upstreamFieldsFor(selection, () => []);
    let messageFields: readonly EventField[];
    try {
      messageFields = (await this.options.catalog.get(budget)).messageFields;
    } catch {
      // Without the catalogue the template fields are unknown: ask for every field,
      // so that the events still come back and only `message` fails, on its own.
      return undefined;
    }
    return upstreamFieldsFor(selection, () => messageFields);
  }

  private async fetchPage(
    plan: EventsQueryPlan,
    fields: readonly EventField[] | undefined,
    request: UpstreamPageRequest,
    budget: UpstreamBudget,
  ): Promise<UpstreamPage> {
    const answer = await this.options.client.get(
      'GET /api/1/events',
      '/api/1/events',
      {
        ...plan.params,
        sort: sortParam(plan.order, request.reversed),
        limit: String(request.limit),
        fields: fields?.join(','),
        after_cursor: request.cursor?.kind === 'after' ? request.cursor.token : undefined,
        before_cursor: request.cursor?.kind === 'before' ? request.cursor.token : undefined,
      },
      budget,
    );
    const page = parseEventsPage(answer.status, answer.body);
    this.options.cache.remember(page.items, fields);
    return page;
  }

  private async fetchEvent(id: string, budget: UpstreamBudget): Promise<EventDto | null> {
    const answer = await this.options.client.get(
      'GET /api/1/events/:id',
      `/api/1/events/${encodeURIComponent(id)}`,
      {},
      budget,
    );
    if (answer.status === 404) return null;
    // OneLogin answers `data: [event]`; its OpenAPI description says `data: event`. Both are read.
    const data = (answer.body as { data?: unknown } | null)?.data;
    const event = Array.isArray(data) ? data[0] : data;
    if (event === undefined || event === null) return null;
    if (!isEventDto(event))
      throw upstreamError('onelogin', { kind: 'bad-response', status: answer.status });
    return event;
  }
}

function parseEventsPage(status: number, body: unknown): UpstreamPage {
  const record = body as { data?: unknown; pagination?: Record<string, unknown> } | null;
  if (status !== 200 || !Array.isArray(record?.data) || !record.data.every(isEventDto)) {
    throw upstreamError('onelogin', { kind: 'bad-response', status });
  }
  return {
    items: record.data,
    afterCursor: cursorValue(record.pagination?.['after_cursor']),
    beforeCursor: cursorValue(record.pagination?.['before_cursor']),
  };
}

/** A usable cursor, or null; the literal string "null" (seen in OneLogin's OpenAPI examples) is null. */
function cursorValue(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value !== 'null' ? value : null;
}

function isEventDto(value: unknown): value is EventDto {
  if (typeof value !== 'object' || value === null) return false;
  const id = (value as { id?: unknown }).id;
  return (
    (typeof id === 'number' && Number.isSafeInteger(id)) ||
    (typeof id === 'string' && /^\d+$/.test(id))
  );
}

/** `fields` with `field` added (undefined, i.e. every field, stays undefined). */
function withField(
  fields: EventField[] | undefined,
  field: EventField | undefined,
): EventField[] | undefined {
  if (!fields || !field || fields.includes(field)) return fields;
  return [...fields, field];
}
