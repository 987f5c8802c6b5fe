import type { Keyv } from 'keyv';

import { LruMap } from '../cache/LruMap';
import type { Logger } from '../logging/createLogger';
import type { TraceParent, Tracing } from '../observability/tracing';
import { NO_TRACING } from '../observability/tracing';
import type { EventDto, EventField } from '../upstream/dto';

/**
 * Events by id. OneLogin's events never change, so every event the gateway sees
 * (in a list page or a look-up) is kept, and `event(id)` is answered from here
 * when the cached copy has the fields the query needs. Pages fetched with a
 * `fields=` projection hold part of an event; parts are merged.
 */
/** Told the result of cache look-ups that decide an upstream call, `count` at a time. */
export type CacheLookupObserver = (result: 'hit' | 'miss', count: number) => void;

export class EventCache {
  private readonly ttlMs: number;

  /** What this process last wrote per event id: its fields and when. */
  private readonly recentlyWritten: LruMap<string, { signature: string; at: number }>;

  constructor(
    private readonly options: {
      store: Keyv;
      ttlSeconds: number;
      maxEntries: number;
      logger: Logger;
      /** Told how many of a look-up's events were found and how many were not (metrics). */
      onLookup?: CacheLookupObserver;
      /** A `cache.get` span per look-up (`cache.name` events); absent: none. */
      tracing?: Tracing;
    },
  ) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.recentlyWritten = new LruMap(Math.max(1, options.maxEntries));
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /**
   * Cached events with every one of `fields`, in the order of `ids` (undefined
   * for a miss); `trace` is the asking request's, for the look-up's span.
   */
  async getMany(
    ids: readonly string[],
    fields: readonly EventField[] | undefined,
    trace?: TraceParent,
  ): Promise<(EventDto | undefined)[]> {
    if (!this.enabled || ids.length === 0) return ids.map(() => undefined);
    const tracing = this.options.tracing ?? NO_TRACING;
    const events = await tracing.cacheLookup(
      'events',
      trace,
      async () => {
        let found: (EventDto | undefined)[];
        try {
          found = (await this.options.store.getMany(ids.map(keyOf))) as (EventDto | undefined)[];
        } catch (error) {
          this.options.logger.warn({ error: String(error) }, 'event cache read failed');
          return ids.map(() => undefined);
        }
        return found.map((event) => (event && hasFields(event, fields) ? event : undefined));
      },
      (events) => {
        const hits = events.filter((event) => event !== undefined).length;
        return { hit: hits === ids.length, keys: ids.length, hits };
      },
    );
    if (this.options.onLookup) {
      const hits = events.reduce((sum, event) => sum + (event ? 1 : 0), 0);
      this.options.onLookup('hit', hits);
      this.options.onLookup('miss', ids.length - hits);
    }
    return events;
  }

  /**
   * Keeps `events`, merged with what is already cached. Runs in the background:
   * a slow or failing cache never delays a response.
   */
  remember(events: readonly EventDto[], fields: readonly EventField[] | undefined): void {
    if (!this.enabled || events.length === 0) return;
    // Pages are read again and again (the newest page above all): an event this
    // process stored recently with the same fields is not written again.
    const signature = fields === undefined ? COMPLETE : fields.join(',');
    const now = Date.now();
    const fresh = events.filter((event) => {
      const id = String(event.id);
      // peek: looking does not make an entry recent (a re-insert per event was 1 % of a page).
      const last = this.recentlyWritten.peek(id);
      if (
        last &&
        now - last.at < this.ttlMs / 2 &&
        (last.signature === signature || last.signature === COMPLETE)
      ) {
        return false;
      }
      this.recentlyWritten.set(id, { signature, at: now });
      return true;
    });
    if (fresh.length === 0) return;
    const complete = fields === undefined;
    void this.store(fresh, complete).catch((error: unknown) => {
      this.options.logger.warn({ error: String(error) }, 'event cache write failed');
    });
  }

  private async store(events: readonly EventDto[], complete: boolean): Promise<void> {
    const keys = events.map((event) => keyOf(String(event.id)));
    const existing = (await this.options.store.getMany(keys)) as (EventDto | undefined)[];
    await this.options.store.setMany(
      events.map((event, i) => {
        const previous = existing[i];
        const value: CachedEvent = previous ? { ...previous, ...event } : { ...event };
        if (complete) value[COMPLETE] = true;
        return {
          key: keys[i] as string,
          value,
          ttl: this.ttlMs,
        };
      }),
    );
  }
}

/**
 * Marks an event fetched without a `fields=` projection: it has every field
 * OneLogin returns, including ones the gateway cannot name in `fields=`.
 */
const COMPLETE = '__complete';
type CachedEvent = EventDto & { [COMPLETE]?: boolean };

function keyOf(id: string): string {
  return `event:${id}`;
}

/** Whether the event has each field (a key that is present, even if null). `undefined`: all of them. */
function hasFields(event: EventDto, fields: readonly EventField[] | undefined): boolean {
  if (fields === undefined) return (event as CachedEvent)[COMPLETE] === true;
  return fields.every((field) => field in event);
}
