import type { CacheStores } from '../cache/createCacheStores';
import type { Config } from '../config/loadConfig';
import { EventCache } from '../datasources/EventCache';
import { EventsAPI } from '../datasources/EventsAPI';
import { EventTypeCatalog } from '../datasources/EventTypeCatalog';
import type { Services } from '../datasources/createDataSources';
import type { Logger } from '../logging/createLogger';
import { HttpTransport } from '../upstream/HttpTransport';
import { OneLoginClient } from '../upstream/OneLoginClient';
import { TokenProvider } from '../upstream/TokenProvider';

export interface ServiceHandles {
  services: Services;
  client: OneLoginClient;
  close(): Promise<void>;
}

/** The long-lived upstream clients, wired from configuration. */
export function createServices(options: {
  config: Config;
  caches: CacheStores;
  logger: Logger;
}): ServiceHandles {
  const { config, caches, logger } = options;
  if (!config.oneLogin)
    throw new Error('createServices needs config.oneLogin (demo mode fills it in at start-up)');
  const transport = new HttpTransport({
    origin: config.oneLogin.baseURL,
    timeoutMs: config.upstream.timeoutMs,
    maxConnections: config.upstream.maxConnections,
    retries: config.upstream.retries,
    logger,
  });
  const tokens = new TokenProvider({
    transport,
    clientId: config.oneLogin.clientId,
    clientSecret: config.oneLogin.clientSecret,
    logger,
  });
  const client = new OneLoginClient({ transport, tokens, logger });
  const eventTypes = new EventTypeCatalog({
    client,
    store: caches.eventTypes,
    ttlSeconds: config.cache.eventTypesTtlSeconds,
    logger,
  });
  const cache = new EventCache({
    store: caches.events,
    ttlSeconds: config.cache.eventTtlSeconds,
    logger,
  });
  const events = new EventsAPI({ client, cache, catalog: eventTypes, paging: config.paging });
  return {
    services: { events, eventTypes },
    client,
    close: () => transport.close(),
  };
}
