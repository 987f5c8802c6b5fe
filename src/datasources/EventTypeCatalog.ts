import type { Keyv } from 'keyv';

import { RETURNED_EVENT_FIELD_SET } from '../domain/eventFields';
import { fieldForPlaceholder, placeholdersOf } from '../domain/eventMessage';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import type { Logger } from '../logging/createLogger';
import type { Tracing } from '../observability/tracing';
import { NO_TRACING } from '../observability/tracing';
import type { EventField, EventTypeDto } from '../upstream/dto';
import type { OneLoginClient } from '../upstream/OneLoginClient';
import { upstreamError } from '../upstream/upstreamError';
import type { CacheLookupObserver } from './EventCache';

/** The catalogue as the gateway uses it. */
export interface Catalog {
  /** Ordered by id. */
  list: readonly EventTypeDto[];
  byId: ReadonlyMap<string, EventTypeDto>;
  /** Every event field some template's placeholders stand for. */
  messageFields: readonly EventField[];
  fetchedAt: number;
}

interface StoredCatalog {
  fetchedAt: number;
  types: EventTypeDto[];
}

export interface EventTypeCatalogOptions {
  client: OneLoginClient;
  /** Shared cache (memory or Redis). */
  store: Keyv;
  ttlSeconds: number;
  logger: Logger;
  /** Unknown ids refresh the catalogue at most this often. */
  minRefreshIntervalMs?: number;
  now?: () => number;
  /** Told whether the shared store had a fresh catalogue when this process needed one (metrics). */
  onLookup?: CacheLookupObserver;
  /**
   * A `cache.get` span (`cache.name` event-types) when the shared store is read;
   * this process's own copy is a memory read and has none. Absent: none.
   */
  tracing?: Tracing;
}

const STORE_KEY = 'catalog';
/** How long a stale catalogue is served after a failed refresh before the next try. */
const STALE_RETRY_MS = 30_000;

/**
 * OneLogin's event-type catalogue, `GET /api/1/events/types` (not paginated,
 * rate-limited; OneLogin asks clients to keep it for up to 24 hours, API.md §4).
 *
 * Three layers: this process's parsed copy, the shared keyv store (so replicas
 * share one fetch), then OneLogin. An id the catalogue does not know triggers
 * one refresh from OneLogin (new types appear over time), at most once per
 * `minRefreshIntervalMs`, as XSOAR's collector does.
 */
export class EventTypeCatalog {
  private current: Catalog | undefined;
  private loading: Promise<Catalog> | undefined;
  private lastUpstreamFetch = 0;
  private keepStaleUntil = 0;
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(private readonly options: EventTypeCatalogOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlSeconds * 1000;
  }

  /**
   * The catalogue, from the fastest layer that has a fresh copy. A call to
   * OneLogin is charged to `budget`, the budget of the request that started it
   * (requests waiting on the same load share it).
   */
  get(budget: UpstreamBudget): Promise<Catalog> {
    if (this.current && this.usable(this.current)) return Promise.resolve(this.current);
    this.loading ??= this.load(false, budget).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * The event type with this id if this process holds a fresh catalogue that
   * knows it; undefined otherwise (then use `lookup`). Lets resolvers answer
   * without a promise on the hot path.
   */
  peek(id: string): EventTypeDto | undefined {
    const catalog = this.current;
    if (!catalog || !this.usable(catalog)) return undefined;
    return catalog.byId.get(id);
  }

  /**
   * Whether this process holds a fresh catalogue, so that reading it costs no
   * OneLogin call (a refresh for an unknown id aside). Read-only: for the cost
   * estimate of an operation (see server/operationCost.ts).
   */
  isLoaded(): boolean {
    return this.current !== undefined && this.usable(this.current);
  }

  /** Event types by id, in the order of `ids`; null for ids OneLogin does not know. */
  async lookup(ids: readonly string[], budget: UpstreamBudget): Promise<(EventTypeDto | null)[]> {
    let catalog = await this.get(budget);
    if (ids.some((id) => !catalog.byId.has(id)) && this.mayRefresh()) {
      this.loading ??= this.load(true, budget).finally(() => {
        this.loading = undefined;
      });
      catalog = await this.loading;
    }
    return ids.map((id) => catalog.byId.get(id) ?? null);
  }

  /** Fresh, or kept on purpose while OneLogin cannot be reached (see `load`). */
  private usable(catalog: Catalog): boolean {
    return this.now() - catalog.fetchedAt < this.ttlMs || this.now() < this.keepStaleUntil;
  }

  private mayRefresh(): boolean {
    return this.now() - this.lastUpstreamFetch >= (this.options.minRefreshIntervalMs ?? 60_000);
  }

  private async load(forceUpstream: boolean, budget: UpstreamBudget): Promise<Catalog> {
    if (!forceUpstream) {
      const stored = await (this.options.tracing ?? NO_TRACING).cacheLookup(
        'event-types',
        budget.trace,
        async () => (await this.options.store.get(STORE_KEY)) as StoredCatalog | undefined,
        (found) => ({ hit: found !== undefined && this.now() - found.fetchedAt < this.ttlMs }),
      );
      if (stored && this.now() - stored.fetchedAt < this.ttlMs) {
        this.options.onLookup?.('hit', 1);
        this.current = buildCatalog(stored);
        return this.current;
      }
      this.options.onLookup?.('miss', 1);
    }
    this.lastUpstreamFetch = this.now();
    let types: EventTypeDto[];
    try {
      await budget.spend();
    } catch (error) {
      // This request may make no more calls: the copy in memory, if any, will do
      // (without marking it stale for everybody else).
      if (this.current) return this.current;
      throw error;
    }
    try {
      const answer = await this.options.client.get(
        'GET /api/1/events/types',
        '/api/1/events/types',
        {},
        budget,
      );
      types = parseEventTypes(answer.status, answer.body);
    } catch (error) {
      if (!this.current) throw error;
      // Event types do not change meaning: a catalogue past its TTL is better
      // than none while OneLogin cannot be reached (or the budget is spent).
      // Try again in a while rather than on every request.
      this.keepStaleUntil = this.now() + STALE_RETRY_MS;
      this.options.logger.warn(
        { ageSeconds: Math.round((this.now() - this.current.fetchedAt) / 1000) },
        'could not refresh the event-type catalogue; serving the one in memory',
      );
      return this.current;
    }
    const stored: StoredCatalog = { fetchedAt: this.now(), types };
    this.current = buildCatalog(stored);
    this.options.logger.info(
      { eventTypes: types.length },
      'loaded the OneLogin event-type catalogue',
    );
    this.options.store.set(STORE_KEY, stored, this.ttlMs).catch((error: unknown) => {
      this.options.logger.warn(
        { error: String(error) },
        'could not store the event-type catalogue',
      );
    });
    return this.current;
  }
}

function buildCatalog(stored: StoredCatalog): Catalog {
  const list = [...stored.types].sort((a, b) => a.id - b.id);
  const messageFields = new Set<EventField>();
  for (const type of list) {
    for (const placeholder of placeholdersOf(type.description)) {
      const field = fieldForPlaceholder(placeholder, RETURNED_EVENT_FIELD_SET);
      if (field) messageFields.add(field);
    }
  }
  return {
    list,
    byId: new Map(list.map((type) => [String(type.id), type])),
    messageFields: [...messageFields],
    fetchedAt: stored.fetchedAt,
  };
}

/** `{status, data: [...]}` as documented, or a bare array; items are checked one by one. */
function parseEventTypes(status: number, body: unknown): EventTypeDto[] {
  const data = Array.isArray(body) ? body : (body as { data?: unknown } | null)?.['data'];
  if (status !== 200 || !Array.isArray(data)) {
    throw upstreamError('onelogin', { kind: 'bad-response', status });
  }
  const types: EventTypeDto[] = [];
  for (const item of data) {
    const record = item as Record<string, unknown> | null;
    const id = Number(record?.['id']);
    const name = record?.['name'];
    const description = record?.['description'];
    if (!Number.isSafeInteger(id)) continue; // skip what cannot be an event type
    types.push({
      id,
      // Every type has a name in OneLogin's catalogue, but one id of its OpenAPI
      // enum (3028) has none in any public source, and the simulator serves it so.
      name: typeof name === 'string' && name !== '' ? name : `EVENT_TYPE_${id}`,
      description: typeof description === 'string' && description !== '' ? description : null,
    });
  }
  return types;
}
