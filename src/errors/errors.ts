import { GraphQLError } from 'graphql';

import { ErrorCode } from './ErrorCode';

/**
 * An invalid argument. `argument` names what to fix, as a path such as
 * `filter.since` or `input.ipAddress`, and is exposed as `extensions.argument`.
 */
export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
  });
}

export function upstreamNotConfigured(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UPSTREAM_NOT_CONFIGURED } });
}

export function isGraphQLErrorWithCode(error: unknown, code: ErrorCode): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions['code'] === code;
}
