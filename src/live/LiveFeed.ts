import { GraphQLError } from 'graphql';

import type { LiveConfig } from '../config/loadConfig';
import type { EventsAPI } from '../datasources/EventsAPI';
import { createdAtMsOf } from '../domain/liveCursor';
import type { UpstreamBudget } from '../domain/UpstreamBudget';
import { ErrorCode } from '../errors/ErrorCode';
import { upstreamStatusOf } from '../upstream/upstreamError';
import { badUserInput } from '../errors/errors';
import type { Logger } from '../logging/createLogger';
import type { EventDto } from '../upstream/dto';
import type { Checkpoint, FeedBackend, FeedEntry } from './FeedBackend';
import { coldCheckpoint } from './FeedBackend';
import type { LivePlan } from './planLiveSubscription';
import { checkAge } from './planLiveSubscription';

/** At most this many ids are kept in the checkpoint to drop events seen again in the overlap. */
const MAX_SEEN = 20_000;
/** A replay reads the feed backwards in batches of this many entries. */
const REPLAY_BATCH = 500;
/** How long one blocking read of the feed waits; short, so that a replica stops reading soon after its last subscriber. */
const READ_WAIT_MS = 1000;

/** What a subscription asks of the feed, beyond its plan: who may see what, and who pays for a replay. */
export interface LiveSubscribeRequest {
  plan: LivePlan;
  /**
   * Whose subscription this is, for LIVE_SUBSCRIPTIONS_PER_CALLER_MAX: the
   * caller's rate-limit key; undefined for a caller the cap does not apply to.
   */
  capKey: string | undefined;
  /** Whether the caller may receive this event (a self-scoped caller: its own only). */
  authorize(event: EventDto): boolean;
  /** The caller's budget for a replay from OneLogin (its hourly share, the account's budget). */
  budget(): UpstreamBudget;
  /** The creation time of an event (for an `events` edge cursor, which records only the id). */
  createdAtOf(eventId: number, budget: UpstreamBudget): Promise<number | undefined>;
}

/** What `/healthz` and the metrics show of the live feed on this replica. */
export interface LiveFeedState {
  backend: 'memory' | 'redis';
  /** This replica holds the poller's lease (always, without Redis, while anyone subscribes). */
  polling: boolean;
  /** Subscriptions served by this replica. */
  subscribers: number;
  pollIntervalSeconds: number;
  /**
   * What polling costs the account while anyone subscribes: polls an hour (one OneLogin call
   * each, more when a poll pages), counted in its governed budget like any call.
   */
  pollsPerHour: number;
  /** When this replica's last poll ended, and how. */
  lastPoll: { at: string; outcome: PollOutcome; events: number } | null;
}

export type PollOutcome = 'published' | 'empty' | 'failed' | 'lost_lease';

/** Why a subscription ended, for metrics. */
export type CloseReason = 'completed' | 'too_slow' | 'shutdown';

export interface LiveFeedObserver {
  poll(outcome: PollOutcome, events: number): void;
  closed(reason: CloseReason): void;
}

/**
 * The live feed behind `Subscription.eventAdded` on one replica.
 *
 * - Polling: every LIVE_POLL_INTERVAL_SECONDS each replica announces how many
 *   subscribers it serves; when any replica of the cluster has one, the replica
 *   holding the lease (or taking it) asks OneLogin for the events listed since
 *   the checkpoint, less the overlap, ascending, drops those seen (by id) and
 *   publishes the rest with the new checkpoint, in one step fenced by the lease
 *   (see RedisFeedBackend). Without Redis the process is its own cluster.
 * - Fan-out: one reader per replica follows the feed (XREAD BLOCK, or the ring
 *   buffer) while it has subscribers, and offers each entry to each of them.
 * - A subscription joins at the reader's position P: what follows P reaches it
 *   live; with `after`, what it missed up to P is replayed first (the feed
 *   backwards from P, then OneLogin when the feed does not reach back to the
 *   cursor), while live entries wait in its buffer. The seam is exact: P is read
 *   and the subscription added in one synchronous step, and events replayed from
 *   OneLogin that the poller publishes again later are dropped by id.
 */
export class LiveFeed {
  private readonly subscriptions = new Set<LiveSubscription>();
  /** Subscriptions held per capped caller (LIVE_SUBSCRIPTIONS_PER_CALLER_MAX). */
  private readonly heldBy = new Map<string, number>();
  private readonly now: () => number;
  private position: string | undefined;
  private reading: Promise<void> | undefined;
  private readerStart: Promise<void> | undefined;
  /** Subscriptions between their start and their registration (the reader must not stop for them). */
  private joining = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private polling = false;
  private tickFailures = 0;
  private pollFailures = 0;
  /** When the last tick started (epoch ms; 0 before the first). */
  private lastTickAt = 0;
  private lastPoll: LiveFeedState['lastPoll'] = null;
  private closed = false;

  constructor(
    private readonly options: {
      config: LiveConfig;
      backend: FeedBackend;
      events: EventsAPI;
      /** The poller's budget: the account's, not a caller's (see Services.requestBudget). */
      pollBudget: () => UpstreamBudget;
      logger: Logger;
      observer?: LiveFeedObserver;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts the ticks (announce, elect, poll). */
  start(): void {
    this.schedule(0);
  }

  state(): LiveFeedState {
    return {
      backend: this.options.backend.kind,
      polling: this.polling,
      subscribers: this.subscriptions.size,
      pollIntervalSeconds: this.options.config.pollIntervalMs / 1000,
      pollsPerHour: Math.round(3_600_000 / this.options.config.pollIntervalMs),
      lastPoll: this.lastPoll,
    };
  }

  /**
   * A subscription: registered and, with `after`, replayed before this
   * resolves (a failure then rejects it, e.g. BAD_USER_INPUT for a cursor whose
   * event is unknown or too old). Yields events, then possibly one GraphQLError
   * (too slow, shutdown) as its last item.
   */
  async subscribe(
    request: LiveSubscribeRequest,
  ): Promise<AsyncIterableIterator<EventDto | GraphQLError>> {
    if (this.closed)
      throw feedUnavailable('This gateway replica is shutting down: subscribe again.');
    const release = this.admit(request.capKey);
    const { config, backend } = this.options;
    const now = this.now();
    // A first subscriber, or the first after an idle spell, starts the feed now: it must not
    // receive what was created while nobody listened. A poller's takeover (lease lapse plus a
    // poll) stays within this, so it never restarts a feed that has subscribers.
    this.joining += 1;
    try {
      await backend.startIfCold(now, now - (config.leaseMs + 3 * config.pollIntervalMs));
      await this.startReader();
    } catch (error) {
      release();
      this.options.logger.warn({ err: error }, 'live feed: cannot start a subscription (Redis?)');
      throw feedUnavailable(
        'The live feed is unavailable on this replica now (its store does not answer): subscribe again shortly.',
      );
    } finally {
      this.joining -= 1;
    }
    // One synchronous step: the position and the registration (see the class comment).
    const joinedAt = this.position as string;
    const subscription = new LiveSubscription(request, config.subscriberBuffer, (reason) => {
      release();
      this.subscriptions.delete(subscription);
      this.options.observer?.closed(reason);
    });
    this.subscriptions.add(subscription);
    // The first subscriber here is announced at once, yet never sooner than an interval after
    // the last tick: a client that reconnects in a loop must not make the poller poll faster.
    if (this.subscriptions.size === 1) {
      this.schedule(Math.max(0, this.lastTickAt + config.pollIntervalMs - this.now()));
    }
    try {
      const replayed = request.plan.after ? await this.replay(request, joinedAt) : [];
      subscription.goLive(replayed);
    } catch (error) {
      subscription.discard();
      throw error;
    }
    return subscription;
  }

  /**
   * Counts a subscription against its caller's cap, or refuses it: returns
   * what gives the place back (once, however often it is called).
   */
  private admit(key: string | undefined): () => void {
    const max = this.options.config.subscriptionsPerCallerMax;
    if (key === undefined || max === 0) return () => undefined;
    const held = this.heldBy.get(key) ?? 0;
    if (held >= max) {
      throw new GraphQLError(
        `This caller already holds ${max} live subscriptions on this gateway replica (LIVE_SUBSCRIPTIONS_PER_CALLER_MAX): ` +
          'end one before starting another.',
        {
          extensions: {
            code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
            limit: 'subscriptionsPerCaller',
            max,
          },
        },
      );
    }
    this.heldBy.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.heldBy.get(key) ?? 1) - 1;
      if (left > 0) this.heldBy.set(key, left);
      else this.heldBy.delete(key);
    };
  }

  /** Ends every subscription (LIVE_FEED_UNAVAILABLE), stops polling and reading. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    for (const subscription of [...this.subscriptions]) {
      subscription.fail(
        feedUnavailable(
          'This gateway replica is shutting down: subscribe again (to any replica) with `after` set to the last `liveCursor` received.',
        ),
        'shutdown',
      );
    }
    this.subscriptions.clear();
    // A poll in flight is not waited for beyond a moment: its publish is fenced by the lease,
    // which close() releases, so it cannot publish late.
    if (this.ticking) {
      await Promise.race([
        this.ticking.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
    }
    await this.options.backend.close();
    await this.reading?.catch(() => undefined);
  }

  // ---- polling ----

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      if (this.ticking) {
        // A tick is running (a slow poll): the next one follows it.
        void this.ticking.finally(() => this.schedule(this.options.config.pollIntervalMs));
        return;
      }
      this.ticking = this.tick()
        .then((more) => {
          this.tickFailures = 0;
          return more;
        })
        .catch((error: unknown) => {
          // Every tick fails while Redis is away: said at the first failure, then every 30th.
          this.tickFailures += 1;
          if (this.tickFailures === 1 || this.tickFailures % 30 === 0) {
            this.options.logger.warn(
              { err: error, failures: this.tickFailures },
              'live feed: announcing, electing or polling failed (Redis?); retrying at every interval',
            );
          }
          return false;
        })
        .then((more) => {
          this.ticking = undefined;
          // More to read (LIVE_POLL_MAX_PAGES reached): at once; otherwise at the interval.
          this.schedule(more ? 0 : this.options.config.pollIntervalMs);
        });
    }, delayMs);
    this.tickTimer.unref();
  }

  /** One tick; true when the poll left events to read. */
  private async tick(): Promise<boolean> {
    const { backend } = this.options;
    this.lastTickAt = this.now();
    const local = this.subscriptions.size;
    await backend.announce(local);
    const anyone = local > 0 || (await backend.anySubscribers());
    if (!anyone) {
      // Nobody listens anywhere: no polling, and the lease goes to whoever needs it next.
      if (this.polling) await backend.releaseLease();
      this.polling = false;
      return false;
    }
    this.polling = await backend.lease();
    return this.polling && !this.closed ? this.poll() : false;
  }

  /** One poll; true when OneLogin has more to read at once. */
  private async poll(): Promise<boolean> {
    const { backend, config, events, logger } = this.options;
    const startedAt = this.now();
    const checkpoint = (await backend.checkpoint()) ?? coldCheckpoint(startedAt);
    const walk = checkpoint.walk;
    const sinceMs = walk
      ? walk.sinceMs
      : Math.max(checkpoint.floorMs, checkpoint.newestCreatedAtMs - config.overlapMs);
    let listed: { events: EventDto[]; afterCursor: string | null; refused?: unknown };
    try {
      listed = await events.listEventsSince(
        { params: {}, sinceMs, ...(walk ? { afterCursor: walk.afterCursor } : {}) },
        this.options.pollBudget(),
        config.maxPagesPerPoll,
        { partial: true },
      );
    } catch (error) {
      // OneLogin down, the account's budget spent or low: the next tick tries again from the
      // same checkpoint, so nothing is lost (within the stream's reach and the overlap).
      this.record('failed', 0);
      // OneLogin's cooldown can last an hour: said at the first failure, then every 30th.
      this.pollFailures += 1;
      if (this.pollFailures === 1 || this.pollFailures % 30 === 0) {
        logger.warn(
          {
            code: error instanceof GraphQLError ? error.extensions['code'] : undefined,
            failures: this.pollFailures,
            err: error,
          },
          'live feed: polling OneLogin failed; the next poll continues from the same checkpoint',
        );
      }
      // The checkpoint stays where it was, but says the poller is alive: a subscriber arriving
      // during an outage must not take the feed for cold and restart it (the events created
      // meanwhile would then never reach the subscribers already there). A walk's cursor
      // OneLogin no longer knows (400) is dropped: the next poll starts over from `since`.
      await backend.publish([], {
        ...checkpoint,
        polledAtMs: this.now(),
        walk: walk && upstreamStatusOf(error) === 400 ? null : walk,
      });
      return false;
    }
    this.pollFailures = 0;
    const { fresh, next } = advance(
      checkpoint,
      { ...listed, sinceMs },
      this.now(),
      config.overlapMs,
    );
    const published = await backend.publish(fresh, next);
    if (!published) {
      // The lease lapsed during the poll and another replica holds it: it publishes instead.
      this.polling = false;
      this.record('lost_lease', 0);
      return false;
    }
    this.record(fresh.length > 0 ? 'published' : 'empty', fresh.length);
    if (listed.refused) {
      // The budget stopped the walk (e.g. the account's reserve): the rest at the next interval.
      logger.warn(
        { err: listed.refused, published: fresh.length },
        'live feed: the upstream budget stopped a poll after some pages; it goes on at the next interval',
      );
      return false;
    }
    return listed.afterCursor !== null;
  }

  private record(outcome: PollOutcome, count: number): void {
    this.lastPoll = { at: new Date(this.now()).toISOString(), outcome, events: count };
    this.options.observer?.poll(outcome, count);
  }

  // ---- fan-out ----

  /** Makes sure this replica follows the feed; `position` is set once it does. */
  private startReader(): Promise<void> {
    if (this.position !== undefined) return Promise.resolve();
    this.readerStart ??= this.options.backend.tail().then(
      (tail) => {
        this.readerStart = undefined;
        this.position = tail;
        this.reading = this.follow();
      },
      (error: unknown) => {
        this.readerStart = undefined;
        throw error;
      },
    );
    return this.readerStart;
  }

  /**
   * Reads the feed while this replica has subscribers (or some are joining).
   * It stops in the same synchronous step as it sees nobody, so a subscription
   * either joins a running reader or starts a new one, never one that is ending.
   */
  private async follow(): Promise<void> {
    const { backend, logger } = this.options;
    let failures = 0;
    for (;;) {
      if (this.closed || (this.subscriptions.size === 0 && this.joining === 0)) {
        this.position = undefined;
        this.reading = undefined;
        return;
      }
      let entries: FeedEntry[];
      try {
        entries = await backend.read(this.position as string, READ_WAIT_MS);
        failures = 0;
      } catch (error) {
        if (this.closed) continue;
        failures += 1;
        if (failures === 1 || failures % 30 === 0) {
          logger.warn({ err: error }, 'live feed: reading the feed failed (Redis?); retrying');
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * failures, 2000)));
        continue;
      }
      for (const entry of entries) {
        this.position = entry.position;
        const event = entry.event;
        if (event === null) continue;
        for (const subscription of this.subscriptions) subscription.offer(event);
      }
    }
  }

  // ---- resuming ----

  /** What a subscription resuming after `plan.after` missed, up to the feed position `joinedAt`. */
  private async replay(request: LiveSubscribeRequest, joinedAt: string): Promise<EventDto[]> {
    const { backend, config, events } = this.options;
    const after = request.plan.after as NonNullable<LivePlan['after']>;
    const fromFeed: EventDto[] = [];
    let covered = false;
    let position = joinedAt;
    let inclusive = true;
    // Bounded by the feed's own length (LIVE_STREAM_MAX_LENGTH).
    scan: for (;;) {
      const batch = await backend.before(position, REPLAY_BATCH, inclusive);
      inclusive = false;
      for (const entry of batch) {
        // A start mark: the feed began again there, and what came before it is not all in it.
        if (entry.event === null) break scan;
        if (Number(entry.event.id) <= after.eventId) {
          covered = true;
          break scan;
        }
        fromFeed.push(entry.event);
      }
      const last = batch[batch.length - 1];
      if (batch.length < REPLAY_BATCH || last === undefined) break;
      position = last.position;
    }
    fromFeed.reverse();
    if (covered) return fromFeed;

    // The feed does not reach back to the cursor's event: OneLogin, from its creation less the
    // overlap, for the events older than the feed's oldest; the feed has the rest.
    const budget = request.budget();
    const createdAtMs = after.createdAtMs ?? (await request.createdAtOf(after.eventId, budget));
    if (createdAtMs === undefined) {
      throw badUserInput(
        '`after` names an event OneLogin does not have: pass a cursor the gateway returned for an existing event.',
        'after',
      );
    }
    checkAge(createdAtMs, { resumeMaxAgeMs: config.resumeMaxAgeMs, nowMs: this.now() });
    const oldestInFeed = fromFeed[0] ? Number(fromFeed[0].id) : Infinity;
    const windowSince = request.plan.window?.sinceMs;
    const listed = await events.listEventsSince(
      {
        params: request.plan.replayParams,
        sinceMs: Math.max(createdAtMs - config.overlapMs, windowSince ?? -Infinity),
      },
      budget,
      // The caller's budget ends the walk (UPSTREAM_BUDGET_EXCEEDED) before this does.
      Number.MAX_SAFE_INTEGER,
    );
    const missed = listed.events
      .filter((event: EventDto) => {
        const id = Number(event.id);
        return id > after.eventId && id < oldestInFeed;
      })
      .sort((a, b) => Number(a.id) - Number(b.id));
    return [...missed, ...fromFeed];
  }
}

/**
 * The events of a poll not seen before, and the checkpoint after it: the
 * newest creation time, and the ids seen within the overlap window before it.
 * Events created before the feed started (`floorMs`) are marked seen, never published.
 */
export function advance(
  checkpoint: Checkpoint,
  /** What the poll read, from `sinceMs`; `afterCursor` non-null when OneLogin has more. */
  listed: { events: readonly EventDto[]; afterCursor: string | null; sinceMs: number },
  nowMs: number,
  overlapMs: number,
): { fresh: EventDto[]; next: Checkpoint } {
  const seen = new Map(checkpoint.seen);
  const fresh: EventDto[] = [];
  let newest = checkpoint.newestCreatedAtMs;
  const sorted = [...listed.events].sort((a, b) => Number(a.id) - Number(b.id));
  for (const event of sorted) {
    const id = Number(event.id);
    if (seen.has(id)) continue;
    const at = createdAtMsOf(event);
    seen.set(id, at ?? nowMs);
    if (at !== undefined) newest = Math.max(newest, at);
    if (at !== undefined && at < checkpoint.floorMs) continue;
    fresh.push(event);
  }
  const keepFrom = newest - overlapMs;
  const kept = [...seen].filter(([, at]) => at >= keepFrom);
  return {
    fresh,
    next: {
      floorMs: checkpoint.floorMs,
      newestCreatedAtMs: newest,
      seen: kept.slice(-MAX_SEEN),
      polledAtMs: nowMs,
      walk:
        listed.afterCursor === null
          ? null
          : { sinceMs: listed.sinceMs, afterCursor: listed.afterCursor },
    },
  };
}

function feedUnavailable(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.LIVE_FEED_UNAVAILABLE } });
}

/**
 * One subscriber: a bounded queue in front of the async iterator graphql-js
 * reads. While its replay runs, live events wait (in the same bound); past the
 * bound it ends with LIVE_SUBSCRIBER_TOO_SLOW rather than hold memory for a
 * client that does not read. An idle subscriber is this object and a pending
 * promise: nothing is polled or read for it alone.
 */
class LiveSubscription implements AsyncIterableIterator<EventDto | GraphQLError> {
  private readonly queue: EventDto[] = [];
  private waiting: EventDto[] | null = [];
  /**
   * Until the seam is crossed (a live event newer than everything replayed and than the
   * cursor): the ids replayed, which the poller may publish again, and the cursor's own id,
   * at or below which nothing live is new to this subscriber (the replica's reader may lag
   * the one the client last read from by a read).
   */
  private seam = new Set<number>();
  private seamMax = 0;
  private crossed: boolean;
  private failure: GraphQLError | undefined;
  private done = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly request: LiveSubscribeRequest,
    private readonly maxBuffered: number,
    private readonly onClose: (reason: CloseReason) => void,
  ) {
    const after = request.plan.after?.eventId;
    this.crossed = after === undefined;
    this.seamMax = after ?? 0;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A published event; kept when it matches the filter and the caller may see it. */
  offer(event: EventDto): void {
    if (this.done) return;
    if (this.waiting) {
      if (this.waiting.length >= this.maxBuffered) this.tooSlow();
      else this.waiting.push(event);
      return;
    }
    this.enqueue(event);
  }

  /** The replay is done: its events first, then the live ones that waited. */
  goLive(replayed: readonly EventDto[]): void {
    for (const event of replayed) {
      const id = Number(event.id);
      this.seam.add(id);
      this.seamMax = Math.max(this.seamMax, id);
    }
    const waited = this.waiting ?? [];
    this.waiting = null;
    for (const event of replayed) this.enqueue(event, true);
    for (const event of waited) this.enqueue(event);
  }

  fail(error: GraphQLError, reason: CloseReason): void {
    if (this.done) return;
    this.queue.length = 0;
    this.failure = error;
    this.done = true;
    this.onClose(reason);
    this.wake?.();
  }

  /** Unregisters without a word (the subscribe itself failed). */
  discard(): void {
    if (this.done) return;
    this.done = true;
    this.onClose('completed');
  }

  next(): Promise<IteratorResult<EventDto | GraphQLError>> {
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.resolve({ value: failure, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve(this.next());
      };
    });
  }

  return(): Promise<IteratorResult<EventDto | GraphQLError>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onClose('completed');
    }
    this.wake?.();
    return Promise.resolve({ value: undefined, done: true });
  }

  private enqueue(event: EventDto, replayed = false): void {
    const id = Number(event.id);
    if (!replayed && !this.crossed) {
      if (id <= this.seamMax) {
        if (this.seam.has(id) || id <= (this.request.plan.after?.eventId ?? 0)) return;
      } else {
        // Past the replay's newest id and the cursor: nothing more can repeat.
        this.crossed = true;
        this.seam = new Set();
      }
    }
    if (!this.request.plan.matches(event) || !this.request.authorize(event)) return;
    // A replay is in memory already (bounded by the caller's budget): only live events count.
    if (!replayed && this.queue.length >= this.maxBuffered) {
      this.tooSlow();
      return;
    }
    this.queue.push(event);
    this.wake?.();
  }

  private tooSlow(): void {
    this.fail(
      new GraphQLError(
        `This subscriber did not read its events fast enough: ${this.maxBuffered} waited for it (LIVE_SUBSCRIBER_BUFFER). ` +
          'Subscribe again with `after` set to the `liveCursor` of the last event received to continue without a gap.',
        { extensions: { code: ErrorCode.LIVE_SUBSCRIBER_TOO_SLOW } },
      ),
      'too_slow',
    );
  }
}
