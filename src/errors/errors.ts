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

/**
 * An operation refused before execution because it can make more OneLogin
 * calls than one request may (see server/operationCost.ts); nothing was sent.
 * HTTP 400, as for the other refusals of an operation's shape.
 */
export function upstreamBudgetExceeded(cost: { estimated: number; max: number }): GraphQLError {
  return new GraphQLError(
    `This operation can make up to ${cost.estimated} calls to OneLogin (estimated before running it), more than the ` +
      `${cost.max} one request may make (the account's 5,000 calls an hour are shared), so nothing was sent: ask for ` +
      'fewer or smaller pages (one call per 50 events), fewer nested `events`, or fewer entities at once.',
    {
      extensions: {
        code: ErrorCode.UPSTREAM_BUDGET_EXCEEDED,
        cost: { estimated: cost.estimated, max: cost.max },
        http: { status: 400 },
      },
    },
  );
}
