import { createHash, randomUUID } from 'node:crypto';

import type { Keyv } from 'keyv';

import type { StoredCreateEventResult } from '../domain/createEventResult';
import type { Logger } from '../logging/createLogger';
import type { RedisClient } from './createCacheStores';
import { LruMap } from './LruMap';

/** How long a key is kept: 24 hours from the first request with it. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** What the gateway knows about one (caller, key). */
export type IdempotencyRecord =
  | {
      /**
       * A write was sent (or was about to be) and no answer said what became
       * of it: the next request with the key looks for the event first. Kept
       * as this before every write, so that a gateway that dies mid-write
       * leaves the same trace as an unknown answer.
       */
      state: 'unknown';
      fingerprint: string;
      /** Epoch ms of the first request with the key; the record expires 24 h after it. */
      firstSeenAt: number;
      /** Every write sent with the key, oldest first: when OneLogin may have recorded it. */
      writes: IdempotentWrite[];
    }
  | {
      /** Answered: the stored result is the answer to every later request with the key. */
      state: 'done';
      fingerprint: string;
      firstSeenAt: number;
      result: StoredCreateEventResult;
    };

/** One write sent with a key whose answer said nothing certain. */
export interface IdempotentWrite {
  /** Epoch ms just before it was sent. */
  sentAt: number;
  /**
   * Epoch ms when its answer (an unknown outcome) came back. Absent while it
   * is in flight, and so after a gateway died during it: the look-up then
   * reads up to the present.
   */
  answeredAt?: number;
}

/** A held lock on one key; `release` lets the next request with it in. */
export interface IdempotencyLock {
  release(): Promise<void>;
}

export interface IdempotencyStoreOptions {
  /** The records (createCacheStores' `idempotency`): Redis when REDIS_URL is set, memory otherwise. */
  records: Keyv;
  /** With REDIS_URL: locks and claims are taken in Redis (SET NX PX), so every replica honours them. */
  redis?: RedisClient;
  /** CACHE_NAMESPACE, the prefix of the lock and claim keys. */
  namespace: string;
  /**
   * How long a lock holds when its holder never releases it (a replica that
   * died): longer than a request may take (UPSTREAM_REQUEST_DEADLINE_MS).
   */
  lockTtlMs: number;
  logger: Logger;
  /** Epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** Frees a lock only if it is still the holder's (it may have expired and been taken since). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * The outcomes of `createEvent`s sent with an idempotency key, by (caller,
 * key), and the locks that let one request at a time work on a key.
 *
 * - Records live in keyv (createCacheStores' `idempotency` store): in Redis
 *   when REDIS_URL is set, so every replica sees them, and in a bounded map in
 *   process memory otherwise.
 * - A lock is `SET <namespace>:idempotency-lock:<key> <owner> NX PX <ttl>` in
 *   Redis (released with a compare-and-delete script), and a map entry in
 *   process memory without Redis. keyv has no "set if absent", hence Redis
 *   directly. A second request with a key that is locked is refused at once
 *   (IDEMPOTENCY_KEY_IN_USE, try again shortly) rather than kept waiting: the
 *   first may take up to the request deadline, and a waiting request would
 *   hold a connection all that time.
 * - Claims (`<namespace>:idempotency-claim:<event id>`, the same way) make
 *   sure that two keys never take the same OneLogin event for theirs.
 *
 * While Redis is configured but away, everything falls back to process memory
 * (as the caches do, see RedisOrMemoryStore): each replica then protects the
 * keys it sees itself, and a retry that lands on another replica is not
 * protected until Redis answers again.
 */
export class IdempotencyStore {
  private readonly now: () => number;
  /** Locks and claims while there is no Redis: value and expiry (epoch ms). */
  private readonly memory = new LruMap<string, { value: string; expiresAt: number }>(50_000);

  constructor(private readonly options: IdempotencyStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The store's key for a caller's key: hashed, so that neither appears in Redis as given. */
  scope(callerId: string, key: string): string {
    return createHash('sha256').update(`${callerId}\n${key}`, 'utf8').digest('hex');
  }

  async get(scoped: string): Promise<IdempotencyRecord | undefined> {
    const record = (await this.options.records.get(`key:${scoped}`)) as
      IdempotencyRecord | undefined;
    return record ?? undefined;
  }

  /** Stores `record` until 24 h after the key's first request. */
  async put(scoped: string, record: IdempotencyRecord): Promise<void> {
    const ttl = Math.max(1000, record.firstSeenAt + IDEMPOTENCY_TTL_MS - this.now());
    await this.options.records.set(`key:${scoped}`, record, ttl);
  }

  async delete(scoped: string): Promise<void> {
    await this.options.records.delete(`key:${scoped}`);
  }

  /** The key's lock, or null while another request holds it. */
  async lock(scoped: string): Promise<IdempotencyLock | null> {
    const name = `${this.options.namespace}:idempotency-lock:${scoped}`;
    const owner = randomUUID();
    const holder = await this.setIfAbsent(name, owner, this.options.lockTtlMs);
    if (holder !== null) return null;
    return { release: () => this.release(name, owner) };
  }

  /**
   * Claims OneLogin's event `eventId` for `scoped`: true when no other key had
   * claimed it (or this one already had). Kept as long as a key.
   */
  async claim(eventId: string, scoped: string): Promise<boolean> {
    const name = `${this.options.namespace}:idempotency-claim:${eventId}`;
    const holder = await this.setIfAbsent(name, scoped, IDEMPOTENCY_TTL_MS);
    return holder === null || holder === scoped;
  }

  /** Sets `name` unless it is set: null when this call set it, otherwise the value it holds. */
  private async setIfAbsent(name: string, value: string, ttlMs: number): Promise<string | null> {
    const redis = this.options.redis;
    if (redis?.isReady) {
      try {
        const set = await redis.set(name, value, {
          condition: 'NX',
          expiration: { type: 'PX', value: ttlMs },
        });
        if (set === 'OK') return null;
        const holder = await redis.get(name);
        if (holder !== null) return holder;
        // It expired between the two commands: the name is free, so one more try.
        const again = await redis.set(name, value, {
          condition: 'NX',
          expiration: { type: 'PX', value: ttlMs },
        });
        return again === 'OK' ? null : ((await redis.get(name)) ?? '');
      } catch (error) {
        this.options.logger.warn(
          { error: (error as Error).message },
          'Redis failed on an idempotency lock: this replica decides alone until it answers',
        );
      }
    }
    const now = this.now();
    const held = this.memory.get(name);
    if (held && held.expiresAt > now) return held.value;
    this.memory.set(name, { value, expiresAt: now + ttlMs });
    return null;
  }

  private async release(name: string, owner: string): Promise<void> {
    const held = this.memory.get(name);
    if (held?.value === owner) this.memory.delete(name);
    const redis = this.options.redis;
    if (!redis?.isReady) return;
    try {
      await redis.eval(RELEASE_SCRIPT, { keys: [name], arguments: [owner] });
    } catch (error) {
      // It expires on its own after lockTtlMs.
      this.options.logger.warn(
        { error: (error as Error).message },
        'Redis failed to release an idempotency lock: it expires on its own',
      );
    }
  }
}
