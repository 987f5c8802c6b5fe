import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

import { ErrorCode, isErrorCode } from '../../errors/ErrorCode';
import type { Logger } from '../../logging/createLogger';
import type { Context } from '../context';

export interface ErrorLoggingPluginOptions {
  logger: Logger;
}

/**
 * Logs each error of a request once, with the operation name: unexpected
 * errors with their stack (clients only see INTERNAL_SERVER_ERROR, see
 * formatError), upstream failures with their code and status. Bad input is
 * the client's business and is logged at debug level only.
 */
export function errorLoggingPlugin({
  logger,
}: ErrorLoggingPluginOptions): ApolloServerPlugin<Context> {
  const listener = {
    async didEncounterErrors({
      errors,
      operationName,
    }: {
      errors: readonly GraphQLError[];
      operationName?: string | null;
    }) {
      for (const error of errors) {
        const original = error.originalError;
        const code = error.extensions?.['code'];
        const operation = operationName ?? '<anonymous>';
        if (
          typeof code === 'string' &&
          isErrorCode(code) &&
          code !== ErrorCode.INTERNAL_SERVER_ERROR
        ) {
          if (code === ErrorCode.BAD_USER_INPUT) {
            logger.debug({ operation, code, path: error.path }, error.message);
          } else {
            logger.warn(
              { operation, code, path: error.path, upstream: error.extensions?.['upstream'] },
              error.message,
            );
          }
        } else if (original && !(original instanceof GraphQLError)) {
          logger.error(
            { operation, path: error.path, err: original },
            'unexpected error while resolving',
          );
        } else if (typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR) {
          logger.error(
            { operation, path: error.path, message: error.message },
            'unexpected GraphQL error',
          );
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
