import type { ApolloServerPlugin } from '@apollo/server';

import { errorKind, publicErrorCode } from '../../errors/formatError';
import type { Tracing } from '../../observability/tracing';
import type { Context } from '../context';

export interface TracingPluginOptions {
  tracing: Tracing;
}

/**
 * Puts the GraphQL operation on its request's server span (see
 * observability/tracing.ts): the span is named `{type} {name}` (e.g. `query
 * LatestFailedLogins`) with `graphql.operation.type`/`.name`, and gets the
 * response's distinct error codes and the number of OneLogin calls made. An
 * error that is not the client's (the same judgement as the error log's)
 * marks the span as failed. Never the document or its variables.
 */
export function tracingPlugin({ tracing }: TracingPluginOptions): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const codes = new Set<string>();
      let failed = false;
      return {
        async didResolveOperation({ operation, operationName, contextValue }) {
          tracing.describeOperation((contextValue as Partial<Context>).request?.trace, {
            type: operation?.operation,
            name: operationName ?? undefined,
          });
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = publicErrorCode(error);
            codes.add(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
            if (errorKind(code) !== 'request') failed = true;
          }
        },
        async willSendResponse({ contextValue }) {
          tracing.recordOutcome((contextValue as Partial<Context>).request?.trace, {
            errorCodes: [...codes].sort(),
            failed,
            upstreamCalls: (contextValue as Partial<Context>).upstream?.count,
          });
        },
      };
    },
  };
}
