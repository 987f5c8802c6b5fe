import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import { GraphQLError } from 'graphql';

import type { CacheStores } from '../cache/createCacheStores';
import { IdempotencyStore } from '../cache/IdempotencyStore';
import type { Config } from '../config/loadConfig';
import { UpstreamBudget } from '../domain/UpstreamBudget';
import { AccountBudget } from '../limits/AccountBudget';
import type { Logger } from '../logging/createLogger';
import type { Metrics } from '../observability/Metrics';
import { refusalReason, upstreamOutcome } from '../observability/Metrics';
import type { TransportObserver } from '../upstream/HttpTransport';
import type { TraceParent, Tracing } from '../observability/tracing';
import { HttpTransport } from '../upstream/HttpTransport';
import { LegacyClient } from '../upstream/LegacyClient';
import { OneLoginClient } from '../upstream/OneLoginClient';
import { credentialCause, TokenProvider } from '../upstream/TokenProvider';
import { UpstreamFailureError } from '../upstream/HttpTransport';
import { upstreamError } from '../upstream/upstreamError';
import type { ReadinessCheck } from '../observability/Readiness';
import { NotReadyError } from '../observability/Readiness';
import { EventCache } from './EventCache';
import { EventsAPI } from './EventsAPI';
import { EventTypeCatalog } from './EventTypeCatalog';
import { FailedProvisioningsAPI } from './FailedProvisioningsAPI';
import { LegacyEventsAPI } from './LegacyEventsAPI';
import { MemoryFeedBackend } from '../live/FeedBackend';
import { LiveFeed } from '../live/LiveFeed';
import { RedisFeedBackend } from '../live/RedisFeedBackend';

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
  /** A request's budget: `quota` is the caller's hourly share, `trace` the request's place in its trace. */
  requestBudget(quota?: { consume(): Promise<void> }, trace?: TraceParent): UpstreamBudget;
  /** At most this many `createEvent` per GraphQL request. */
  createEventsPerRequest: number;
  /** `Subscription.eventAdded`'s feed (one poller for the cluster, see live/LiveFeed). */
  live: LiveFeed;
  /** The checks of `eventAdded`'s arguments need these (see live/planLiveSubscription). */
  liveLimits: { paging: Config['paging']; resumeMaxAgeMs: number };
}

export interface ServiceHandles {
  services: Services;
  /** OneLogin's budget for the account as the cluster sees it. */
  account: AccountBudget;
  /** The live feed, for health and metrics. */
  live: LiveFeed;
  /** Routes whose circuit is open or half-open now, for health. */
  circuits(): Record<string, 'open' | 'half-open'>;
  /** Every route's circuit, closed ones included, for metrics. */
  routeCircuits(): Record<string, 'closed' | 'open' | 'half-open'>;
  /** What `/readyz` checks of OneLogin: a token can be obtained, the event-type catalogue is loaded or loadable. */
  readinessChecks: ReadinessCheck[];
  close(): Promise<void>;
}

/** The long-lived upstream clients, wired from configuration. */
export function createServices(options: {
  config: Config;
  caches: CacheStores;
  logger: Logger;
  /** The clock for token lifetimes and cache ages, in epoch ms. Default `Date.now`; tests inject one. */
  clock?: () => number;
  /** Where calls, retries, refusals, cache look-ups and token requests are counted. */
  metrics?: Metrics;
  /** Spans for OneLogin calls and the cache look-ups that decide them; absent: none. */
  tracing?: Tracing;
}): ServiceHandles {
  const { config, caches, logger, metrics, tracing } = options;
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
    ...(metrics ? { observer: transportObserver(metrics) } : {}),
    ...(tracing ? { tracing } : {}),
  };
  const lookups = (cache: string) =>
    metrics && {
      onLookup: (result: 'hit' | 'miss', count: number) => {
        if (count > 0) metrics.cacheLookups.inc({ cache, result }, count);
      },
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
    ...(metrics && { onRequest: (outcome) => metrics.tokenRequests.inc({ outcome }) }),
  });
  const client = new OneLoginClient({ transport, tokens, logger, account });
  const eventTypes = new EventTypeCatalog({
    client,
    store: caches.eventTypes,
    ttlSeconds: config.cache.eventTypesTtlSeconds,
    minRefreshIntervalMs: config.cache.eventTypesRefreshSeconds * 1000,
    logger,
    now: clock,
    ...lookups('event-types'),
    ...(tracing ? { tracing } : {}),
  });
  const cache = new EventCache({
    store: caches.events,
    ttlSeconds: config.cache.eventTtlSeconds,
    maxEntries: config.cache.eventMaxEntries,
    logger,
    ...lookups('events'),
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
    ...lookups('failed-provisionings'),
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
  const budget = (max: number, quota?: { consume(): Promise<void> }, trace?: TraceParent) =>
    new UpstreamBudget({
      max,
      deadlineMs: config.upstream.requestDeadlineMs,
      account,
      ...(quota ? { quota } : {}),
      ...(trace ? { trace } : {}),
      ...(metrics && {
        onRefused: (code: string) => {
          metrics.upstreamRefusals.inc({ reason: refusalReason(code) });
          if (code === 'RATE_LIMITED') metrics.callerRefusals.inc({ limit: 'upstream_calls' });
        },
      }),
    });
  const requestBudget = (quota?: { consume(): Promise<void> }, trace?: TraceParent) =>
    budget(config.upstream.callsPerRequest, quota, trace);
  const live = new LiveFeed({
    config: config.live,
    backend: caches.redis
      ? new RedisFeedBackend(caches.redis, {
          namespace: config.cache.namespace,
          replicaId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
          maxLength: config.live.streamMaxLength,
          maxAgeMs: config.live.streamMaxAgeMs,
          leaseMs: config.live.leaseMs,
          presenceMs: 3 * config.live.pollIntervalMs + 1000,
          logger,
        })
      : new MemoryFeedBackend({
          maxLength: config.live.streamMaxLength,
          maxAgeMs: config.live.streamMaxAgeMs,
        }),
    events,
    // The cluster's poll is the account's cost, not a caller's: the account's budget and
    // reserve apply (a poll of more than a few pages is bulk work), no caller's share.
    // Its pages and their retries, whatever UPSTREAM_CALLS_PER_REQUEST_MAX is.
    pollBudget: () => budget(config.live.maxPagesPerPoll * (1 + config.upstream.retries)),
    logger,
    ...(metrics && {
      observer: {
        poll: (outcome, count) => {
          metrics.livePolls.inc({ outcome });
          if (count > 0) metrics.liveEventsPublished.inc(count);
        },
        closed: (reason) => metrics.liveSubscriptionsClosed.inc({ reason }),
      },
    }),
  });
  live.start();
  return {
    services: {
      events,
      eventTypes,
      failedProvisionings,
      legacyEvents,
      requestBudget,
      createEventsPerRequest: config.limits.createEventsPerRequest,
      live,
      liveLimits: { paging: config.paging, resumeMaxAgeMs: config.live.resumeMaxAgeMs },
    },
    account,
    live,
    circuits: () => ({ ...transport.circuitStates(), ...legacyTransport?.circuitStates() }),
    routeCircuits: () => ({ ...transport.routeCircuits(), ...legacyTransport?.routeCircuits() }),
    readinessChecks: [
      {
        name: 'oneLoginToken',
        // A cached token answers at once; inside a failure's backoff window, the last failure does.
        check: () => tokens.getToken().then(() => undefined, notReady('a OneLogin access token')),
      },
      {
        name: 'eventTypes',
        check: async () => {
          if (eventTypes.isLoaded()) return;
          // One call at most, shared with any request loading it too; not charged to a caller.
          const budget = new UpstreamBudget({
            max: 2,
            deadlineMs: config.upstream.requestDeadlineMs,
          });
          await eventTypes.get(budget).then(() => undefined, notReady('the event-type catalogue'));
        },
      },
    ],
    close: async () => {
      await live.close();
      account.close();
      await Promise.all([transport.close(), legacyTransport?.close()]);
    },
  };
}

/** Counts each upstream call, retry and circuit-open refusal in `metrics`. */
function transportObserver(metrics: Metrics): TransportObserver {
  return {
    call(route, status, failure, seconds) {
      metrics.upstreamCalls.inc({
        route,
        status: status === undefined ? 'none' : String(status),
        outcome: upstreamOutcome(status, failure),
      });
      metrics.upstreamDuration.observe({ route }, seconds);
    },
    retry(route) {
      metrics.upstreamRetries.inc({ route });
    },
    circuitOpen() {
      metrics.upstreamRefusals.inc({ reason: 'circuit_open' });
    },
  };
}

/**
 * Turns a failure to obtain `what` into a reason `/readyz` can show (no secret,
 * body or URL); anything else is rethrown (Readiness logs it).
 */
function notReady(what: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof UpstreamFailureError) {
      const cause =
        credentialCause(error.failure) ?? upstreamError('onelogin', error.failure).message;
      throw new NotReadyError(`cannot obtain ${what}: ${cause}`);
    }
    // The data sources' typed errors (upstreamError, budget refusals) are written for clients.
    if (error instanceof GraphQLError)
      throw new NotReadyError(`cannot obtain ${what}: ${error.message}`);
    throw error;
  };
}
