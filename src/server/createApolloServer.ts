import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { ASTVisitor, GraphQLSchema, ValidationContext } from 'graphql';
import { executeSync, GraphQLError, parse } from 'graphql';

import type { Config } from '../config/loadConfig';
import { formatError, formatErrorWithoutSuggestions } from '../errors/formatError';
import type { Logger } from '../logging/createLogger';
import type { Tracing } from '../observability/tracing';
import { resolvers } from '../resolvers';
import type { Context } from './context';
import { explorerLandingPagePlugin } from './explorer/createExplorer';
import { loadTypeDefs } from './loadTypeDefs';
import { jitGateway } from './jitGateway';
import { NoSubscriptionsOverHTTPRule } from './liveOperations';
import { operationCostEstimator } from './operationCost';
import { operationLimitRules } from './operationLimits';
import { costPlugin } from './plugins/costPlugin';
import { entityRepresentationsPlugin } from './plugins/entityRepresentationsPlugin';
import { errorLoggingPlugin } from './plugins/errorLoggingPlugin';
import { rateLimitStatusPlugin } from './plugins/rateLimitStatusPlugin';
import { requestFactsPlugin } from './plugins/requestFactsPlugin';
import { tracingPlugin } from './plugins/tracingPlugin';

/** The subgraph schema: schema/*.graphql with the resolvers, built by @apollo/subgraph. */
export function buildSchema(options: { authorizationDirectives?: boolean } = {}): GraphQLSchema {
  // The generated resolver map types scalars and federation fields more
  // precisely than @apollo/subgraph's own resolver type can express.
  return buildSubgraphSchema({
    typeDefs: loadTypeDefs(undefined, options),
    resolvers: resolvers as never,
  });
}

/** The subgraph SDL a router composes, as `{ _service { sdl } }` answers it. */
export function subgraphSDL(schema: GraphQLSchema = buildSchema()): string {
  const result = executeSync({ schema, document: parse('{ _service { sdl } }') });
  const sdl = (result.data as { _service?: { sdl?: unknown } } | null | undefined)?._service?.sdl;
  if (typeof sdl !== 'string') throw new Error('the schema does not answer _service { sdl }');
  return sdl;
}

/**
 * Rejects an operation whose type the schema has no root for (every schema
 * here has all three since `Subscription.eventAdded`; the rule stays for schemas
 * built without one) as a validation error, GRAPHQL_VALIDATION_FAILED with HTTP
 * 400: graphql-js 16 validates it and only fails at execution, which Apollo
 * would report as INTERNAL_SERVER_ERROR (graphql-jit throws). graphql-js 17
 * has this rule as KnownOperationTypesRule; the message is graphql-js's own.
 */
export function SupportedOperationTypesRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (context.getSchema().getRootType(node.operation)) return;
      context.reportError(
        new GraphQLError(`Schema is not configured to execute ${node.operation} operation.`, {
          nodes: node,
        }),
      );
    },
  };
}

/** Apollo Server for the gateway, not yet started or listening. */
export function createApolloServer(options: {
  config: Config;
  logger: Logger;
  /**
   * Whether the event-type catalogue is loaded in this process, for the cost
   * estimate (EventTypeCatalog.isLoaded of the services the context uses).
   */
  eventTypesLoaded: () => boolean;
  /** The GraphQL operation on the request's server span, when tracing is on. */
  tracing?: Tracing;
  /** The schema, when the caller built it already (startGateway shares it with the WebSocket transport). */
  schema?: GraphQLSchema;
}): ApolloServer<Context> {
  const { config, logger, eventTypesLoaded } = options;
  const schema =
    options.schema ??
    buildSchema({ authorizationDirectives: config.graphql.federationAuthorizationDirectives });
  return new ApolloServer<Context>({
    ...(config.graphql.jit ? { gateway: jitGateway(schema, { maxOperations: 1000 }) } : { schema }),
    formatError: config.production ? formatErrorWithoutSuggestions : formatError,
    validationRules: [
      SupportedOperationTypesRule,
      NoSubscriptionsOverHTTPRule,
      ...operationLimitRules(config.limits),
    ],
    parseOptions: { maxTokens: config.limits.maxTokens },
    // One refusal per problem is enough; a document of a thousand unknown
    // directives must not produce a thousand errors.
    validationOptions: { maxErrors: 5 },
    // No "Did you mean …?" in production: suggestions hand out the schema.
    hideSchemaDetailsFromClientErrors: config.production,
    // With trusted documents, the list is the only way to run a document by
    // hash: automatic persisted queries would let anyone register one.
    ...(config.trustedDocuments.mode === 'off' ? {} : { persistedQueries: false as const }),
    logger,
    nodeEnv: config.production ? 'production' : 'development',
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    // src/index.ts stops the gateway on SIGINT/SIGTERM (Apollo included): a second
    // stop from Apollo's own handler would wait for ever.
    stopOnTerminationSignals: false,
    plugins: [
      // No field sets a cache hint: computing cache policies would be work for nothing.
      ApolloServerPluginCacheControlDisabled(),
      // Sandbox, or no page of Apollo's (GraphiQL is the gateway's own, see createHttpServer).
      explorerLandingPagePlugin(config.graphql.explorer),
      errorLoggingPlugin({ logger }),
      entityRepresentationsPlugin(),
      costPlugin({
        estimate: operationCostEstimator({ schema, paging: config.paging }),
        eventTypesLoaded,
      }),
      rateLimitStatusPlugin(),
      requestFactsPlugin(),
      ...(options.tracing?.enabled ? [tracingPlugin({ tracing: options.tracing })] : []),
    ],
  });
}
