import type { RedisClient } from '../cache/createCacheStores';
import type { Logger } from '../logging/createLogger';
import type { EventDto } from '../upstream/dto';
import type { Checkpoint, FeedBackend, FeedEntry } from './FeedBackend';
import { coldCheckpoint } from './FeedBackend';

/**
 * The feed shared by every replica through Redis (REDIS_URL). Keys, under the
 * cache namespace (CACHE_NAMESPACE):
 * - `<ns>:live:feed`: a stream, one entry per published event (field `e`, the
 *   event's JSON), trimmed to about LIVE_STREAM_MAX_LENGTH entries (`MAXLEN ~`)
 *   and to entries younger than LIVE_STREAM_MAX_AGE_SECONDS (`MINID ~`, the
 *   entry ids being Redis's clock in ms). Each replica reads it with `XREAD
 *   BLOCK` on a connection of its own and serves its own subscribers.
 * - `<ns>:live:checkpoint`: the poller's checkpoint (JSON), written in the same
 *   script as the entries it publishes.
 * - `<ns>:live:lease`: the poller's lease, the holder's replica id, taken with
 *   SET NX PX and renewed by its holder; it lapses when the holder dies.
 * - `<ns>:live:subscribers`: a sorted set of the replicas with subscribers, each
 *   scored with when its announcement lapses (it is renewed every tick), so that
 *   a dead replica stops counting on its own.
 */
export class RedisFeedBackend implements FeedBackend {
  readonly kind = 'redis';
  private readonly keys: { feed: string; checkpoint: string; lease: string; subscribers: string };
  private reader: RedisClient | undefined;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: {
      namespace: string;
      /** This replica's id (random per process): the lease holder's name. */
      replicaId: string;
      maxLength: number;
      maxAgeMs: number;
      leaseMs: number;
      /** How long a replica's announcement of its subscribers lasts without renewal. */
      presenceMs: number;
      logger: Logger;
      now?: () => number;
    },
  ) {
    const prefix = `${options.namespace}:live`;
    this.keys = {
      feed: `${prefix}:feed`,
      checkpoint: `${prefix}:checkpoint`,
      lease: `${prefix}:lease`,
      subscribers: `${prefix}:subscribers`,
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async publish(events: readonly EventDto[], checkpoint: Checkpoint): Promise<boolean> {
    const minId = Math.max(0, this.now() - this.options.maxAgeMs);
    const reply = await this.redis.eval(PUBLISH_SCRIPT, {
      keys: [this.keys.lease, this.keys.feed, this.keys.checkpoint],
      arguments: [
        this.options.replicaId,
        JSON.stringify(checkpoint),
        String(this.options.maxLength),
        String(minId),
        // Both outlive the feed's age limit, then go: an idle cluster leaves nothing behind.
        String(this.options.maxAgeMs * 2),
        ...events.map((event) => JSON.stringify(event)),
      ],
    });
    return reply === 1;
  }

  async tail(): Promise<string> {
    const reply = await this.redis.sendCommand<RawEntry[]>([
      'XREVRANGE',
      this.keys.feed,
      '+',
      '-',
      'COUNT',
      '1',
    ]);
    return reply[0]?.[0] ?? '0-0';
  }

  async before(position: string, count: number, inclusive: boolean): Promise<FeedEntry[]> {
    const end = inclusive ? position : `(${position}`;
    if (!inclusive && position === '0-0') return [];
    const reply = await this.redis.sendCommand<RawEntry[]>([
      'XREVRANGE',
      this.keys.feed,
      end,
      '-',
      'COUNT',
      String(count),
    ]);
    return entries(reply);
  }

  async read(position: string, waitMs: number): Promise<FeedEntry[]> {
    // XREAD BLOCK holds its connection: on one of its own, so that the shared
    // connection (caches, rate limits) never waits behind it.
    if (!this.reader) {
      const reader = this.redis.duplicate();
      reader.on('error', (error: Error) =>
        this.options.logger.debug({ error: error.message }, 'live feed reader: Redis error'),
      );
      this.reader = reader;
      await reader.connect();
    }
    if (this.closed) return [];
    const reply = await this.reader.sendCommand<Array<[string, RawEntry[]]> | null>([
      'XREAD',
      'COUNT',
      '1000',
      'BLOCK',
      String(Math.max(1, Math.round(waitMs))),
      'STREAMS',
      this.keys.feed,
      position,
    ]);
    return reply ? entries(reply[0]?.[1] ?? []) : [];
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const raw = await this.redis.get(this.keys.checkpoint);
    return raw ? (JSON.parse(raw) as Checkpoint) : undefined;
  }

  async startIfCold(nowMs: number, freshSinceMs: number): Promise<void> {
    await this.redis.eval(START_SCRIPT, {
      keys: [this.keys.checkpoint, this.keys.feed],
      arguments: [
        JSON.stringify(coldCheckpoint(nowMs)),
        String(freshSinceMs),
        String(this.options.maxAgeMs * 2),
      ],
    });
  }

  async lease(): Promise<boolean> {
    const reply = await this.redis.eval(LEASE_SCRIPT, {
      keys: [this.keys.lease],
      arguments: [this.options.replicaId, String(this.options.leaseMs)],
    });
    return reply === 1;
  }

  async releaseLease(): Promise<void> {
    await this.redis.eval(RELEASE_SCRIPT, {
      keys: [this.keys.lease],
      arguments: [this.options.replicaId],
    });
  }

  async announce(subscribers: number): Promise<void> {
    if (subscribers > 0) {
      await this.redis.zAdd(this.keys.subscribers, {
        score: this.now() + this.options.presenceMs,
        value: this.options.replicaId,
      });
      await this.redis.pExpire(this.keys.subscribers, this.options.presenceMs * 2);
    } else {
      await this.redis.zRem(this.keys.subscribers, this.options.replicaId);
    }
  }

  async anySubscribers(): Promise<boolean> {
    const reply = await this.redis.eval(PRESENCE_SCRIPT, {
      keys: [this.keys.subscribers],
      arguments: [String(this.now())],
    });
    return typeof reply === 'number' && reply > 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A pending XREAD BLOCK would hold close() for its whole timeout: the reader is dropped.
    this.reader?.destroy();
    this.reader = undefined;
    if (this.redis.isReady) {
      await this.announce(0).catch(() => undefined);
      await this.releaseLease().catch(() => undefined);
    }
  }
}

type RawEntry = [string, string[]];

function entries(raw: readonly RawEntry[]): FeedEntry[] {
  const found: FeedEntry[] = [];
  for (const [position, fields] of raw) {
    const index = fields.indexOf('e');
    const json = index === -1 ? undefined : fields[index + 1];
    found.push({ position, event: json === undefined ? null : (JSON.parse(json) as EventDto) });
  }
  return found;
}

/** Entries and checkpoint together, only by the lease holder (a fence against a stale poller). */
const PUBLISH_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 6, #ARGV do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[i])
end
redis.call('XTRIM', KEYS[2], 'MINID', '~', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[5])
return 1
`;

/** A new checkpoint and a start mark (field `m`) unless the current one was polled since ARGV[2]. */
const START_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if raw then
  local checkpoint = cjson.decode(raw)
  if tonumber(checkpoint['polledAtMs']) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('XADD', KEYS[2], '*', 'm', '1')
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`;

/** SET NX PX, or PEXPIRE when this replica holds the lease already. */
const LEASE_SCRIPT = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Drops the announcements that lapsed, then counts the others. */
const PRESENCE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[1])
`;
