import type http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ApolloServer } from '@apollo/server';

import { Authenticator } from '../auth/Authenticator';
import { createCacheStores } from '../cache/createCacheStores';
import type { Config } from '../config/loadConfig';
import { createDataSources } from '../datasources/createDataSources';
import type { Logger } from '../logging/createLogger';
import { createTracing } from '../observability/tracing';
import { createApolloServer } from './createApolloServer';
import { createHttpServer, GRAPHQL_PATH } from './createHttpServer';
import { createServices } from '../datasources/createServices';
import { CallerRateLimits } from '../limits/CallerRateLimits';
import { TrustedDocuments } from './trustedDocuments';
import type { Context } from './context';

export interface Gateway {
  /** e.g. http://localhost:4000/graphql */
  url: string;
  port: number;
  apollo: ApolloServer<Context>;
  httpServer: http.Server;
  /** Stops accepting requests, lets running ones finish (up to 10 s), then closes upstream pools and caches. */
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
  const tracing = createTracing(config.tracing, logger);
  const caches = await createCacheStores({ config: config.cache, logger });
  const handles = createServices({ config, caches, logger, clock: options.clock, tracing });
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
  const apollo = createApolloServer({
    config,
    logger,
    // A read-only look at the shared catalogue, so that the cost plugin reaches no data source.
    eventTypesLoaded: () => handles.services.eventTypes.isLoaded(),
    tracing,
  });
  await apollo.start();
  const httpServer = createHttpServer({
    apollo,
    authenticate: (req) => authenticator.authenticate(req.headers, req.socket.remoteAddress),
    admit: (caller) => limits.admitRequest(caller),
    context: (caller) => {
      const upstream = handles.services.requestBudget(limits.upstreamQuota(caller));
      return {
        caller,
        upstream,
        dataSources: createDataSources(handles.services, { caller, budget: upstream }),
      };
    },
    documents,
    tracing,
    corsOrigins: config.cors.origins,
    getQueries: config.graphql.getQueries,
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
      };
    },
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
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    apollo,
    httpServer,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const force = setTimeout(() => httpServer.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(force);
        await apollo.stop();
        authenticator.close();
        await handles.close();
        await caches.close();
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
