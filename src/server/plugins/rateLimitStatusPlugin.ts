import type { ApolloServerPlugin } from '@apollo/server';

import { ErrorCode } from '../../errors/ErrorCode';
import type { Context } from '../context';

/**
 * HTTP 429 with `Retry-After` when a caller's hourly share of OneLogin calls
 * refused everything it asked for (every error RATE_LIMITED, nothing else
 * answered). When part of the answer came from the cache, the status stays
 * 200, so that clients keep what they got; the field errors still say
 * RATE_LIMITED with `retryAfterSeconds`.
 */
export function rateLimitStatusPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length) return;
          let retryAfter = 0;
          for (const error of errors) {
            if (error.extensions?.['code'] !== ErrorCode.RATE_LIMITED) return;
            const seconds = error.extensions['retryAfterSeconds'];
            if (typeof seconds === 'number') retryAfter = Math.max(retryAfter, seconds);
          }
          if (data && Object.values(data).some((value) => value !== null)) return;
          response.http.status = 429;
          if (retryAfter > 0) response.http.headers.set('retry-after', String(retryAfter));
        },
      };
    },
  };
}
