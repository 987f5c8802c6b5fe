import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { executeSync, parse } from 'graphql';

import type { Config } from '../config/loadConfig';
import { formatError } from '../errors/formatError';
import type { Logger } from '../logging/createLogger';
import { resolvers } from '../resolvers';
import type { Context } from './context';
import { loadTypeDefs } from './loadTypeDefs';
import { jitGateway } from './jitGateway';
import { errorLoggingPlugin } from './plugins/errorLoggingPlugin';

/** The subgraph schema: schema/*.graphql with the resolvers, built by @apollo/subgraph. */
export function buildSchema(): GraphQLSchema {
  // The generated resolver map types scalars and federation fields more
  // precisely than @apollo/subgraph's own resolver type can express.
  return buildSubgraphSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
}

/** The subgraph SDL a router composes, as `{ _service { sdl } }` answers it. */
export function subgraphSDL(schema: GraphQLSchema = buildSchema()): string {
  const result = executeSync({ schema, document: parse('{ _service { sdl } }') });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null | undefined)?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error('the schema does not answer _service { sdl }');
  return sdl;
}

/** Apollo Server for the gateway, not yet started or listening. */
export function createApolloServer(options: {
  config: Config;
  logger: Logger;
}): ApolloServer<Context> {
  const { config, logger } = options;
  const schema = buildSchema();
  return new ApolloServer<Context>({
    ...(config.graphql.jit ? { gateway: jitGateway(schema, { maxOperations: 1000 }) } : { schema }),
    formatError,
    logger,
    nodeEnv: config.production ? 'production' : 'development',
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    plugins: [
      // No field sets a cache hint: computing cache policies would be work for nothing.
      ApolloServerPluginCacheControlDisabled(),
      config.graphql.sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
      errorLoggingPlugin({ logger }),
    ],
  });
}
