import type { CacheStores } from '../cache/createCacheStores';
import { IdempotencyStore } from '../cache/IdempotencyStore';
import type { Config } from '../config/loadConfig';
import { UpstreamBudget } from '../domain/UpstreamBudget';
import { AccountBudget } from '../limits/AccountBudget';
import type { Logger } from '../logging/createLogger';
import type { Tracing } from '../observability/tracing';
import { HttpTransport } from '../upstream/HttpTransport';
import { LegacyClient } from '../upstream/LegacyClient';
import { OneLoginClient } from '../upstream/OneLoginClient';
import { TokenProvider } from '../upstream/TokenProvider';
import { EventCache } from './EventCache';
import { EventsAPI } from './EventsAPI';
import { EventTypeCatalog } from './EventTypeCatalog';
import { FailedProvisioningsAPI } from './FailedProvisioningsAPI';
import { LegacyEventsAPI } from './LegacyEventsAPI';

/**
 * The long-lived clients every request shares (pools, caches, tokens). Only
 * createDataSources reaches them: resolvers see per-request methods only.
 */
export interface Services {
  events: EventsAPI;
  eventTypes: EventTypeCatalog;
  /** Legacy API: failed provisionings (one cached fetch per range). */
  failedProvisionings: FailedProvisioningsAPI;
  /** Legacy API: `createEvent`, with its idempotency keys. */
  legacyEvents: LegacyEventsAPI;
  /**
   * A new request's upstream budget (see UpstreamBudget): its most calls, its
   * deadline, the account's shared budget, and the caller's hourly share.
   */
  requestBudget(quota?: { consume(): Promise<void> }): UpstreamBudget;
  /** At most this many `createEvent` per GraphQL request. */
  createEventsPerRequest: number;
}

export interface ServiceHandles {
  services: Services;
  /** OneLogin's budget for the account as the cluster sees it. */
  account: AccountBudget;
  /** Routes whose circuit is open or half-open now, for health. */
  circuits(): Record<string, 'open' | 'half-open'>;
  close(): Promise<void>;
}

/** The long-lived upstream clients, wired from configuration. */
export function createServices(options: {
  config: Config;
  caches: CacheStores;
  logger: Logger;
  /** The clock for token lifetimes and cache ages, in epoch ms. Default `Date.now`; tests inject one. */
  clock?: () => number;
  /** Spans for OneLogin calls and the cache look-ups that decide them; absent: none. */
  tracing?: Tracing;
}): ServiceHandles {
  const { config, caches, logger, tracing } = options;
  const clock = options.clock ?? Date.now;
  if (!config.oneLogin)
    throw new Error('createServices needs config.oneLogin (demo mode fills it in at start-up)');
  const transportOptions = {
    timeoutMs: config.upstream.timeoutMs,
    writeTimeoutMs: config.upstream.writeTimeoutMs,
    maxConnections: config.upstream.maxConnections,
    retries: config.upstream.retries,
    retryBudget: config.upstream.retryBudget,
    breaker: config.upstream.breaker,
    logger,
    ...(tracing ? { tracing } : {}),
  };
  const transport = new HttpTransport({ origin: config.oneLogin.baseURL, ...transportOptions });
  const account = new AccountBudget({
    reserve: config.upstream.reserve,
    redis: caches.redis,
    namespace: config.cache.namespace,
    logger,
  });
  const tokens = new TokenProvider({
    transport,
    clientId: config.oneLogin.clientId,
    clientSecret: config.oneLogin.clientSecret,
    logger,
    now: clock,
  });
  const client = new OneLoginClient({ transport, tokens, logger, account });
  const eventTypes = new EventTypeCatalog({
    client,
    store: caches.eventTypes,
    ttlSeconds: config.cache.eventTypesTtlSeconds,
    minRefreshIntervalMs: config.cache.eventTypesRefreshSeconds * 1000,
    logger,
    now: clock,
    ...(tracing ? { tracing } : {}),
  });
  const cache = new EventCache({
    store: caches.events,
    ttlSeconds: config.cache.eventTtlSeconds,
    maxEntries: config.cache.eventMaxEntries,
    logger,
    ...(tracing ? { tracing } : {}),
  });
  const events = new EventsAPI({ client, cache, catalog: eventTypes, paging: config.paging });

  // The legacy v1 API has its own origin and credential; without an API key its
  // fields answer UPSTREAM_NOT_CONFIGURED and everything else works.
  const { apiKey } = config.legacy;
  let legacyTransport: HttpTransport | undefined;
  let legacy: LegacyClient | undefined;
  if (apiKey === undefined) {
    logger.info(
      'ONELOGIN_API_KEY is not set: failedProvisionings and createEvent answer UPSTREAM_NOT_CONFIGURED',
    );
  } else {
    legacyTransport = new HttpTransport({ origin: config.legacy.baseURL, ...transportOptions });
    legacy = new LegacyClient({ transport: legacyTransport, apiKey, logger });
  }
  const failedProvisionings = new FailedProvisioningsAPI({
    client: legacy,
    store: caches.failedProvisionings,
    ttlSeconds: config.cache.failedProvisioningsTtlSeconds,
    paging: config.paging,
    maxRangeDays: config.failedProvisionings.maxRangeDays,
    logger,
    ...(tracing ? { tracing } : {}),
  });
  const idempotency = new IdempotencyStore({
    records: caches.idempotency,
    ...(caches.redis ? { redis: caches.redis } : {}),
    namespace: config.cache.namespace,
    // A request's upstream work ends by its deadline; the margin covers the rest of it.
    lockTtlMs: config.upstream.requestDeadlineMs + 10_000,
    logger,
    now: clock,
  });
  const legacyEvents = new LegacyEventsAPI({
    client: legacy,
    catalog: eventTypes,
    idempotency,
    events,
    logger,
    now: () => new Date(clock()),
  });
  return {
    services: {
      events,
      eventTypes,
      failedProvisionings,
      legacyEvents,
      requestBudget: (quota) =>
        new UpstreamBudget({
          max: config.upstream.callsPerRequest,
          deadlineMs: config.upstream.requestDeadlineMs,
          account,
          ...(quota ? { quota } : {}),
        }),
      createEventsPerRequest: config.limits.createEventsPerRequest,
    },
    account,
    circuits: () => ({ ...transport.circuitStates(), ...legacyTransport?.circuitStates() }),
    close: async () => {
      account.close();
      await Promise.all([transport.close(), legacyTransport?.close()]);
    },
  };
}
