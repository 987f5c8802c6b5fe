import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

import { errorKind, publicErrorCode } from '../../errors/formatError';
import type { Logger } from '../../logging/createLogger';
import { traceLogFields } from '../../observability/tracing';
import type { Context } from '../context';

export interface ErrorLoggingPluginOptions {
  logger: Logger;
}

/**
 * Logs each error of a request once, with the operation name, at a level that
 * says whose fault it is (the same judgement as formatError, see errorKind):
 * the client's mistakes (bad input, a request that does not parse, validate or
 * name an operation, a bad persisted query) at debug level only; upstream
 * failures at warn, with their code and status; the gateway's own faults at
 * error, with their stack (clients only see INTERNAL_SERVER_ERROR).
 */
export function errorLoggingPlugin({
  logger,
}: ErrorLoggingPluginOptions): ApolloServerPlugin<Context> {
  const listener = {
    async didEncounterErrors({
      errors,
      operationName,
      contextValue,
    }: {
      errors: readonly GraphQLError[];
      operationName?: string | null;
      contextValue: Partial<Context>;
    }) {
      // The caller's name (a key's name, a token's subject), never its credential.
      const caller = contextValue.caller?.name;
      const requestId = contextValue.request?.id;
      const traced = traceLogFields(contextValue.request?.trace);
      for (const error of errors) {
        const code = publicErrorCode(error);
        const operation = operationName ?? '<anonymous>';
        switch (errorKind(code)) {
          case 'request':
            logger.debug(
              { requestId, operation, caller, code, path: error.path, ...traced },
              error.message,
            );
            break;
          case 'upstream':
            logger.warn(
              {
                requestId,
                operation,
                caller,
                code,
                path: error.path,
                upstream: error.extensions?.['upstream'],
                ...traced,
              },
              error.message,
            );
            break;
          case 'internal': {
            const original = error.originalError;
            if (original && !(original instanceof GraphQLError)) {
              logger.error(
                { requestId, operation, caller, path: error.path, err: original, ...traced },
                'unexpected error while resolving',
              );
            } else {
              logger.error(
                {
                  requestId,
                  operation,
                  caller,
                  path: error.path,
                  code,
                  message: error.message,
                  ...traced,
                },
                'unexpected GraphQL error',
              );
            }
          }
        }
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
