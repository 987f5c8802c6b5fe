import type { CacheStores } from '../cache/createCacheStores';
import type { Config } from '../config/loadConfig';
import type { Logger } from '../logging/createLogger';
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
  /** Legacy API: `createEvent`. */
  legacyEvents: LegacyEventsAPI;
  /** At most this many OneLogin calls per GraphQL request (see UpstreamBudget). */
  upstreamCallsPerRequest: number;
  /** At most this many `createEvent` per GraphQL request. */
  createEventsPerRequest: number;
}

export interface ServiceHandles {
  services: Services;
  client: OneLoginClient;
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
}): ServiceHandles {
  const { config, caches, logger } = options;
  const clock = options.clock ?? Date.now;
  if (!config.oneLogin)
    throw new Error('createServices needs config.oneLogin (demo mode fills it in at start-up)');
  const transport = new HttpTransport({
    origin: config.oneLogin.baseURL,
    timeoutMs: config.upstream.timeoutMs,
    maxConnections: config.upstream.maxConnections,
    retries: config.upstream.retries,
    breaker: config.upstream.breaker,
    logger,
  });
  const tokens = new TokenProvider({
    transport,
    clientId: config.oneLogin.clientId,
    clientSecret: config.oneLogin.clientSecret,
    logger,
    now: clock,
  });
  const client = new OneLoginClient({ transport, tokens, logger });
  const eventTypes = new EventTypeCatalog({
    client,
    store: caches.eventTypes,
    ttlSeconds: config.cache.eventTypesTtlSeconds,
    minRefreshIntervalMs: config.cache.eventTypesRefreshSeconds * 1000,
    logger,
    now: clock,
  });
  const cache = new EventCache({
    store: caches.events,
    ttlSeconds: config.cache.eventTtlSeconds,
    maxEntries: config.cache.eventMaxEntries,
    logger,
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
    legacyTransport = new HttpTransport({
      origin: config.legacy.baseURL,
      timeoutMs: config.upstream.timeoutMs,
      maxConnections: config.upstream.maxConnections,
      retries: config.upstream.retries,
      breaker: config.upstream.breaker,
      logger,
    });
    legacy = new LegacyClient({ transport: legacyTransport, apiKey, logger });
  }
  const failedProvisionings = new FailedProvisioningsAPI({
    client: legacy,
    store: caches.failedProvisionings,
    ttlSeconds: config.cache.failedProvisioningsTtlSeconds,
    paging: config.paging,
    maxRangeDays: config.failedProvisionings.maxRangeDays,
    logger,
  });
  const legacyEvents = new LegacyEventsAPI({
    client: legacy,
    catalog: eventTypes,
    now: () => new Date(clock()),
  });
  return {
    services: {
      events,
      eventTypes,
      failedProvisionings,
      legacyEvents,
      upstreamCallsPerRequest: config.upstream.callsPerRequest,
      createEventsPerRequest: config.limits.createEventsPerRequest,
    },
    client,
    circuits: () => ({ ...transport.circuitStates(), ...legacyTransport?.circuitStates() }),
    close: async () => {
      await Promise.all([transport.close(), legacyTransport?.close()]);
    },
  };
}
