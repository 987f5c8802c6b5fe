import type { ApolloServerPlugin } from '@apollo/server';

import type { Context } from '../context';

/**
 * Fills in the request's facts (see server/requestFacts.ts) for its access-log
 * line and metrics: the validated operation's name and type, the codes of the
 * errors clients see (after formatError, so only public codes), and the OneLogin
 * calls it made.
 */
export function requestFactsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operationName, operation }) {
          const facts = contextValue.request;
          facts.validated = true;
          facts.operationName = operationName;
          facts.operationType = operation?.operation;
        },
        async willSendResponse({ contextValue, response }) {
          const facts = contextValue.request;
          facts.upstreamCalls = contextValue.upstream.count;
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const code = error.extensions?.['code'];
            facts.codes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}
