import type http from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApolloServer } from '@apollo/server';

import { Authenticator } from '../auth/Authenticator';
import { createCacheStores } from '../cache/createCacheStores';
import type { Config } from '../config/loadConfig';
import { createDataSources } from '../datasources/createDataSources';
import type { Logger } from '../logging/createLogger';
import { createTracing } from '../observability/tracing';
import { buildSchema, createApolloServer, SupportedOperationTypesRule } from './createApolloServer';
import type { RequestScope } from '../datasources/createDataSources';
import { formatError, formatErrorWithoutSuggestions } from '../errors/formatError';
import { createGraphQLEventStream } from './graphqlEventStream';
import { attachGraphQLWebSocket } from './graphqlWebSocket';
import { createLiveOperations } from './liveOperations';
import { operationLimitRules } from './operationLimits';
import { newRequestFacts } from './requestFacts';
import { createHttpServer, GRAPHQL_PATH } from './createHttpServer';
import { createServices } from '../datasources/createServices';
import { CallerRateLimits } from '../limits/CallerRateLimits';
import { TrustedDocuments } from './trustedDocuments';
import type { Context } from './context';
import { Metrics } from '../observability/Metrics';
import { requestObserver } from '../observability/observeRequest';
import { NotReadyError, Readiness } from '../observability/Readiness';
import { createExplorer } from './explorer/createExplorer';

export interface Gateway {
  /** e.g. http://localhost:4000/graphql */
  url: string;
  port: number;
  apollo: ApolloServer<Context>;
  httpServer: http.Server;
  /** `/metrics` on a port of its own (METRICS_PORT), when configured. */
  metricsPort?: number;
  /**
   * Starts the shutdown: `/readyz` answers 503 from now on and responses ask
   * clients to close their connections, while requests are still served.
   */
  drain(): void;
  /**
   * Ends every `eventAdded` subscription (a last payload, LIVE_FEED_UNAVAILABLE) and
   * closes their WebSocket connections (1001), stops accepting requests, lets running
   * ones finish (up to SHUTDOWN_GRACE_SECONDS), then closes upstream pools, caches and
   * the metrics port. Subscriptions are still served while draining (`drain()`), as requests are.
   */
  stop(): Promise<void>;
}

/** Builds everything from configuration and listens on config.host:config.port. */
export async function startGateway(options: {
  config: Config;
  logger: Logger;
  /** The clock for token lifetimes and cache ages (epoch ms). Default `Date.now`; tests inject one. */
  clock?: () => number;
}): Promise<Gateway> {
  const { config, logger } = options;
  const tracing = await createTracing(config.tracing, logger);
  const caches = await createCacheStores({ config: config.cache, logger });
  // Metrics read the account's budget and the circuits when scraped (handles exist by then).
  const metrics = config.metrics.enabled
    ? new Metrics({
        rateLimit: () => handles.account.snapshot(),
        circuits: () => handles.routeCircuits(),
        live: () => handles.live.state(),
      })
    : undefined;
  const handles = createServices({
    config,
    caches,
    logger,
    clock: options.clock,
    ...(metrics ? { metrics } : {}),
    tracing,
  });
  const readiness = new Readiness(
    [...handles.readinessChecks, ...(caches.redis ? [redisCheck(caches.redis)] : [])],
    { logger },
  );
  const authenticator = new Authenticator(config.auth, { logger, clock: options.clock });
  logAuthentication(config, authenticator, logger);
  await authenticator.warmUp();
  const limits = new CallerRateLimits(config.limits, {
    redis: caches.redis,
    namespace: config.cache.namespace,
    logger,
  });
  const documents =
    config.trustedDocuments.mode === 'off'
      ? undefined
      : new TrustedDocuments(config.trustedDocuments, { redis: caches.redis, logger });
  const schema = buildSchema({
    authorizationDirectives: config.graphql.federationAuthorizationDirectives,
  });
  const apollo = createApolloServer({
    config,
    logger,
    schema,
    // A read-only look at the shared catalogue, so that the cost plugin reaches no data source.
    eventTypesLoaded: () => handles.services.eventTypes.isLoaded(),
    tracing,
  });
  await apollo.start();
  // Subscriptions: one subscribe path, over WebSocket and over Server-Sent Events.
  const liveOperations = createLiveOperations({
    schema,
    context: (caller) => {
      const quota = limits.upstreamQuota(caller);
      const scope: RequestScope = {
        caller,
        budget: handles.services.requestBudget(quota),
        renewBudget: () => handles.services.requestBudget(quota),
      };
      return {
        caller,
        upstream: scope.budget,
        request: newRequestFacts(undefined),
        dataSources: createDataSources(handles.services, scope),
      };
    },
    validationRules: [SupportedOperationTypesRule, ...operationLimitRules(config.limits)],
    maxTokens: config.limits.maxTokens,
    ...(documents ? { documents } : {}),
    formatError: config.production ? formatErrorWithoutSuggestions : formatError,
  });
  const eventStream = createGraphQLEventStream({
    operations: liveOperations,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const httpServer = createHttpServer({
    apollo,
    authenticate: (req) => authenticator.authenticate(req.headers, req.socket.remoteAddress),
    admit: (caller) => limits.admitRequest(caller),
    context: (caller, request) => {
      const upstream = handles.services.requestBudget(limits.upstreamQuota(caller), request.trace);
      return {
        caller,
        upstream,
        request,
        dataSources: createDataSources(handles.services, { caller, budget: upstream }),
      };
    },
    readiness: () => readiness.result(),
    ...(metrics && config.metrics.port === undefined ? { metrics: () => metrics.text() } : {}),
    draining: () => readiness.isDraining,
    observe: requestObserver({ logger, ...(metrics ? { metrics } : {}) }),
    documents,
    tracing,
    corsOrigins: config.cors.origins,
    getQueries: config.graphql.getQueries,
    explorer: createExplorer(config.graphql.explorer, options.clock),
    eventStream,
    logger,
    health: () => {
      const cache = caches.status();
      return {
        cache: cache.kind,
        // The truth about Redis: while it is away, caches and rate limits use process memory.
        ...(cache.kind === 'redis'
          ? { redis: cache.connected ? 'connected' : 'unavailable (serving from memory)' }
          : {}),
        // OneLogin's hourly budget for the account, as the cluster sees it.
        rateLimit: handles.account.snapshot(),
        // OneLogin routes the gateway is not calling for now (their circuit is open).
        circuits: handles.circuits(),
        // eventAdded: whether this replica is the cluster's poller, its subscribers, its last poll.
        live: {
          ...handles.live.state(),
          connections: webSocket.connections(),
          eventStreams: eventStream.streams(),
        },
      };
    },
  });
  // GraphQL over WebSocket on the same port and path.
  const webSocket = attachGraphQLWebSocket({
    httpServer,
    path: GRAPHQL_PATH,
    authenticate: (headers, address) => authenticator.authenticate(headers, address),
    admit: (caller) => limits.admitRequest(caller),
    operations: liveOperations,
    origins: config.cors.origins,
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const metricsServer =
    metrics && config.metrics.port !== undefined
      ? await listenForMetrics(metrics, config.metrics.port, config.host, logger)
      : undefined;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    apollo,
    httpServer,
    ...(metricsServer ? { metricsPort: (metricsServer.address() as AddressInfo).port } : {}),
    drain() {
      readiness.drain();
    },
    stop() {
      stopping ??= (async () => {
        readiness.drain();
        // Subscriptions end first, each with LIVE_FEED_UNAVAILABLE, then their connections
        // (1001): their clients resume elsewhere with `after` while this replica finishes.
        await handles.live.close();
        await Promise.all([webSocket.close(), eventStream.close()]);
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const force = setTimeout(() => httpServer.closeAllConnections(), config.shutdown.graceMs);
        await closed;
        clearTimeout(force);
        await apollo.stop();
        authenticator.close();
        await handles.close();
        await caches.close();
        if (metricsServer) {
          metricsServer.closeAllConnections();
          await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        }
        // Last: the spans of the requests that just finished are sent (bounded in time).
        await tracing.shutdown();
      })();
      return stopping;
    },
  };
}

/** Says at every start who may call, loudly when nobody is checked. */
function logAuthentication(config: Config, authenticator: Authenticator, logger: Logger): void {
  const facts = authenticator.describe();
  if (config.auth.explicitNone) {
    logger.warn(
      facts,
      'AUTH_MODE=none: callers are not authenticated and every request has every scope. ' +
        'Only run this way behind a router that authenticates, where nothing else can reach the gateway.',
    );
  } else if (config.auth.anonymous === 'trusted') {
    logger.warn(
      facts,
      `Anonymous callers get every scope (${config.demo ? 'demo mode' : 'no AUTH_MODE outside production'})` +
        (facts.methods.length ? `; bearer tokens are checked (${facts.methods.join(', ')}).` : '.'),
    );
  } else {
    logger.info(facts, `Callers must authenticate: ${facts.methods.join(', ')}`);
  }
}

/** `/readyz`: Redis answers a PING (caches, rate limits and shared budgets live there). */
function redisCheck(redis: { ping(): Promise<string> }) {
  return {
    name: 'redis',
    check: () =>
      redis.ping().then(
        () => undefined,
        () => {
          throw new NotReadyError('Redis does not answer: caches and limits are not shared now');
        },
      ),
  };
}

/** `GET /metrics` on a port of its own, so that it need not be public (METRICS_PORT). */
async function listenForMetrics(
  metrics: Metrics,
  port: number,
  host: string,
  logger: Logger,
): Promise<http.Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('Not found: metrics are at /metrics\n');
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  logger.info(
    { port: (server.address() as AddressInfo).port },
    'metrics served at /metrics on their own port',
  );
  return server;
}
