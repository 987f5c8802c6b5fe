import type { RedisClientType } from '@keyv/redis';
import { Keyv } from 'keyv';

/** The node-redis client @keyv/redis creates. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type RedisClient = RedisClientType<{}, {}, {}, 2, {}>;

import { redactURL, type Config } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';
import { LruMap } from './LruMap';
import { RedisOrMemoryStore } from './RedisOrMemoryStore';

/**
 * The gateway's shared caches, one keyv namespace each. In process memory by
 * default (a bounded LRU, values kept as objects); in Redis when REDIS_URL is
 * set, so every replica shares them. A Redis outage degrades to "no cache":
 * keyv answers misses and the gateway calls OneLogin instead.
 */
export interface CacheStores {
  kind: 'memory' | 'redis';
  /** OneLogin's event-type catalogue (one entry). */
  eventTypes: Keyv;
  /** Events by id, as seen in lists and look-ups (events never change). */
  events: Keyv;
  /** Legacy failed-provisioning ranges (short TTL). */
  failedProvisionings: Keyv;
  /** `createEvent` outcomes by (caller, idempotency key), kept 24 h (see IdempotencyStore). */
  idempotency: Keyv;
  /** The Redis connection the caches use, shared with the callers' rate limits; absent in memory. */
  redis?: RedisClient;
  /** For health: whether Redis answers now (with REDIS_URL), and what the caches use meanwhile. */
  status(): { kind: 'memory' } | { kind: 'redis'; connected: boolean };
  close(): Promise<void>;
}

/**
 * Idempotency keys kept in process memory (without Redis, or while it is
 * away). A key dropped early, the least recently used beyond this many, loses
 * its protection: a retry with it is then a new write. At under a kilobyte for
 * most events (a long custom message makes two), that is well under 100 MB.
 */
const IDEMPOTENCY_MEMORY_ENTRIES = 100_000;

export async function createCacheStores(options: {
  config: Config['cache'];
  logger: Logger;
}): Promise<CacheStores> {
  const { config, logger } = options;
  if (config.redisURL === undefined) {
    const memory = (namespace: string, max: number, maxBytes?: number) =>
      new Keyv({
        store: new LruMap<string, unknown>(Math.max(1, max), { maxBytes }),
        namespace: `${config.namespace}:${namespace}`,
        // Values are kept as they are: nobody mutates a cached object, and
        // JSON round trips would cost CPU on every hit.
        serialize: undefined,
        deserialize: undefined,
      });
    return {
      kind: 'memory',
      eventTypes: memory('event-types', 10),
      events: memory('events', config.eventMaxEntries, config.eventMaxBytes),
      failedProvisionings: memory('failed-provisionings', 200),
      idempotency: memory('idempotency', IDEMPOTENCY_MEMORY_ENTRIES),
      status: () => ({ kind: 'memory' }),
      close: async () => {},
    };
  }

  // Loaded only with REDIS_URL: node-redis is some 420 modules (about 0.2 s of CPU to
  // load on the 2-core machine), for nothing in a gateway that keeps its caches in memory.
  const { default: KeyvRedis, createClient } = await import('@keyv/redis');
  const client = createClient({
    url: config.redisURL,
    // While Redis is away, commands fail at once (a cache miss) instead of
    // queueing until it comes back: requests must never wait on the cache.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      // Keep trying in the background; meanwhile the caches miss.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000),
    },
  });
  const where = redactURL(config.redisURL);
  let lastErrorLog = 0;
  client.on('error', (error: Error) => {
    if (Date.now() - lastErrorLog > 10_000) {
      lastErrorLog = Date.now();
      logger.warn(
        { redis: where, error: error.message },
        'Redis unavailable: caches and rate limits use process memory until it answers',
      );
    }
  });
  let everReady = false;
  client.on('ready', () => {
    logger.info(
      { redis: where },
      everReady ? 'Redis is back: caches shared again' : 'Redis connected',
    );
    everReady = true;
  });
  // Connecting goes on in the background for as long as it takes (the reconnect
  // strategy); the gateway waits a moment for it, then serves from memory meanwhile.
  const connecting = client.connect().catch((error: unknown) => {
    logger.warn({ redis: where, error: (error as Error).message }, 'Redis connection failed');
  });
  // Up to REDIS_CONNECT_WAIT_MS for a slow Redis; not at all once a first attempt has failed.
  const waited = await Promise.race([
    connecting.then(() => 'connected' as const),
    new Promise<'failed'>((resolve) => client.once('error', () => resolve('failed'))),
    new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), config.redisConnectWaitMs).unref(),
    ),
  ]);
  if (waited !== 'connected' || !client.isReady) {
    logger.warn(
      { redis: where },
      `Redis at ${where} does not answer yet: serving with caches in process memory, and attaching to Redis when it answers. ` +
        'Check REDIS_URL if this lasts.',
    );
  }
  const redis = (namespace: string, memoryEntries: number, memoryBytes?: number) => {
    const keyv = new Keyv({
      store: new RedisOrMemoryStore(
        new KeyvRedis(client, { namespace: `${config.namespace}:${namespace}` }),
        () => client.isReady,
        memoryEntries,
        memoryBytes,
      ),
      namespace: `${config.namespace}:${namespace}`,
      useKeyPrefix: false,
    });
    keyv.on('error', (error: Error) =>
      logger.warn({ error: error.message, namespace }, 'cache error'),
    );
    return keyv;
  };
  return {
    kind: 'redis',
    redis: client,
    eventTypes: redis('event-types', 10),
    events: redis('events', config.eventMaxEntries, config.eventMaxBytes),
    failedProvisionings: redis('failed-provisionings', 200),
    idempotency: redis('idempotency', IDEMPOTENCY_MEMORY_ENTRIES),
    status: () => ({ kind: 'redis', connected: client.isReady }),
    close: async () => {
      // Connected: let pending writes finish. Away: waiting would never end.
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}
