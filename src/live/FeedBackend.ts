import type { EventDto } from '../upstream/dto';

/**
 * One event in the live feed, at its position (a Redis stream entry id, or a
 * sequence number in memory); `event` is null for the mark of a (re)start (see
 * `startIfCold`): the feed is not continuous across it, so a replay that meets
 * it asks OneLogin for what lies before.
 */
export interface FeedEntry {
  position: string;
  event: EventDto | null;
}

/**
 * Where the cluster's poller stands, kept beside the feed (in Redis with
 * REDIS_URL), so that a poller taking over continues where the last one stopped.
 */
export interface Checkpoint {
  /** Events created before this (epoch ms) are never published: the feed started then. */
  floorMs: number;
  /** The newest `created_at` seen (epoch ms); the next poll asks from here less the overlap. */
  newestCreatedAtMs: number;
  /** `[id, created_at ms]` of the events seen within the overlap window, to drop them when seen again. */
  seen: Array<[number, number]>;
  /** When the last poll ended, failed ones included (epoch ms, the poller's clock): the poller is alive. */
  polledAtMs: number;
  /**
   * The last poll stopped at LIVE_POLL_MAX_PAGES with more to read: the next
   * one repeats its query from OneLogin's `after_cursor` (as OneLogin's SDKs
   * page: same parameters, cursor added), since `since` alone cannot get past
   * more events than a poll reads that share a second. Null otherwise.
   */
  walk: { sinceMs: number; afterCursor: string } | null;
}

/**
 * What the live feed needs from its store, in memory (one process) or in Redis
 * (the cluster): the feed itself, the checkpoint, the poller's lease and who
 * is subscribed where. Positions are compared only by the backend.
 */
export interface FeedBackend {
  readonly kind: 'memory' | 'redis';
  /**
   * Publishes `events` (in this order) and stores `checkpoint`, together and
   * only while this replica holds the lease (false when it does not: nothing
   * was written), so that a poller that lost its lease cannot publish twice.
   */
  publish(events: readonly EventDto[], checkpoint: Checkpoint): Promise<boolean>;
  /** The position of the newest entry (a position before every entry when the feed is empty). */
  tail(): Promise<string>;
  /** Up to `count` entries before `position` (inclusive when `inclusive`), newest first. */
  before(position: string, count: number, inclusive: boolean): Promise<FeedEntry[]>;
  /** The entries after `position`, oldest first, waiting up to `waitMs` for one when there are none. */
  read(position: string, waitMs: number): Promise<FeedEntry[]>;
  checkpoint(): Promise<Checkpoint | undefined>;
  /**
   * Starts the feed at `nowMs` (a new checkpoint, and a start mark in the feed)
   * unless a poller polled since `freshSinceMs`: a first subscriber, or the
   * first after an idle spell, must not receive the events created while
   * nobody listened.
   */
  startIfCold(nowMs: number, freshSinceMs: number): Promise<void>;
  /** Takes the poller's lease, or renews it when this replica holds it; false when another does. */
  lease(): Promise<boolean>;
  releaseLease(): Promise<void>;
  /** Says how many subscribers this replica serves (0: none), for `anySubscribers`. */
  announce(subscribers: number): Promise<void>;
  /** Whether any replica of the cluster has a subscriber now. */
  anySubscribers(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The feed without Redis: this process polls for itself, its subscribers read
 * a ring buffer of the last `maxLength` events (and none older than `maxAgeMs`).
 */
export class MemoryFeedBackend implements FeedBackend {
  readonly kind = 'memory';
  private readonly entries: Array<{ seq: number; at: number; event: EventDto | null }> = [];
  private seq = 0;
  private saved: Checkpoint | undefined;
  private subscribers = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly options: { maxLength: number; maxAgeMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  publish(events: readonly EventDto[], checkpoint: Checkpoint): Promise<boolean> {
    this.append(events);
    this.saved = checkpoint;
    if (events.length > 0) {
      for (const wake of [...this.waiters]) wake();
    }
    return Promise.resolve(true);
  }

  private append(events: ReadonlyArray<EventDto | null>): void {
    const at = this.now();
    for (const event of events) this.entries.push({ seq: ++this.seq, at, event });
    const excess = this.entries.length - this.options.maxLength;
    if (excess > 0) this.entries.splice(0, excess);
    while (this.entries.length > 0 && (this.entries[0]?.at ?? at) < at - this.options.maxAgeMs)
      this.entries.shift();
  }

  tail(): Promise<string> {
    return Promise.resolve(String(this.seq));
  }

  before(position: string, count: number, inclusive: boolean): Promise<FeedEntry[]> {
    const limit = Number(position);
    const found: FeedEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < count; i--) {
      const entry = this.entries[i] as { seq: number; event: EventDto | null };
      if (entry.seq < limit || (inclusive && entry.seq === limit))
        found.push({ position: String(entry.seq), event: entry.event });
    }
    return Promise.resolve(found);
  }

  async read(position: string, waitMs: number): Promise<FeedEntry[]> {
    const after = Number(position);
    const pick = () =>
      this.entries
        .filter((entry) => entry.seq > after)
        .map((entry) => ({ position: String(entry.seq), event: entry.event }));
    const now = pick();
    if (now.length > 0 || waitMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      this.waiters.add(wake);
    });
    return pick();
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return Promise.resolve(this.saved);
  }

  startIfCold(nowMs: number, freshSinceMs: number): Promise<void> {
    if (!this.saved || this.saved.polledAtMs < freshSinceMs) {
      this.saved = coldCheckpoint(nowMs);
      this.append([null]);
    }
    return Promise.resolve();
  }

  lease(): Promise<boolean> {
    return Promise.resolve(true);
  }

  releaseLease(): Promise<void> {
    return Promise.resolve();
  }

  announce(subscribers: number): Promise<void> {
    this.subscribers = subscribers;
    return Promise.resolve();
  }

  anySubscribers(): Promise<boolean> {
    return Promise.resolve(this.subscribers > 0);
  }

  close(): Promise<void> {
    for (const wake of [...this.waiters]) wake();
    return Promise.resolve();
  }
}

/** The checkpoint of a feed that starts at `nowMs`. */
export function coldCheckpoint(nowMs: number): Checkpoint {
  return {
    floorMs: nowMs,
    newestCreatedAtMs: nowMs,
    seen: [],
    polledAtMs: nowMs,
    walk: null,
  };
}
