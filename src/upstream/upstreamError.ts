import { GraphQLError } from 'graphql';

import { ErrorCode } from '../errors/ErrorCode';

/** Which upstream a failure came from, as shown in `extensions.upstream.service`. */
export type UpstreamService = 'onelogin' | 'onelogin-legacy';

/**
 * What went wrong with an upstream call, before it becomes a GraphQL error:
 * an HTTP status with the parts of the body that matter, or a transport failure.
 */
export type UpstreamFailure =
  | { kind: 'status'; status: number; rateLimited: boolean; retryAfterSeconds?: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'network' }
  | { kind: 'bad-response'; status: number }
  /** A write whose answer says nothing certain (no answer, or a 5xx from any hop after it was sent). */
  | { kind: 'outcome-unknown'; status?: number }
  /** Not sent: the route's circuit is open after repeated failures (see HttpTransport). */
  | { kind: 'circuit-open' }
  /**
   * The token endpoint will not issue a token for the gateway's API credential
   * and the status says so only indirectly: OneLogin answers 500 when the user
   * who created the credential was deleted (API.md §2.1). Not an outage.
   */
  | { kind: 'credential-fault'; status: number };

/**
 * The single table from upstream answers to `extensions.code` (API.md §7.1 lists
 * the shapes). test/unit/upstreamError.test.ts runs every row.
 *
 * - 400 is UPSTREAM_REJECTED: the gateway validates every argument before it calls
 *   OneLogin, so a 400 means the gateway built a request OneLogin did not accept.
 *   Callers that pass a client's value through (a cursor) catch it and say so.
 * - 401 reaches this table only after the token was refreshed and the call retried.
 * - 429, and the 400 whose message is `rate_limit_exceeded` (seen in StreamAlert's
 *   client), both mean the account's hourly budget is spent.
 * - A 500 from the token endpoint arrives as `credential-fault` (TokenProvider),
 *   not as a status: it means the API credential is dead, not that OneLogin is down.
 */
const CODE_BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map([
  [400, ErrorCode.UPSTREAM_REJECTED],
  [401, ErrorCode.UPSTREAM_AUTH_FAILED],
  [403, ErrorCode.UPSTREAM_FORBIDDEN],
  [404, ErrorCode.UPSTREAM_REJECTED],
  [405, ErrorCode.UPSTREAM_REJECTED],
  [409, ErrorCode.UPSTREAM_REJECTED],
  [415, ErrorCode.UPSTREAM_REJECTED],
  [422, ErrorCode.UPSTREAM_REJECTED],
  [429, ErrorCode.UPSTREAM_RATE_LIMITED],
]);

const MESSAGE_BY_CODE: Readonly<Record<string, string>> = {
  [ErrorCode.UPSTREAM_REJECTED]: 'OneLogin rejected the request the gateway sent',
  [ErrorCode.UPSTREAM_AUTH_FAILED]: "OneLogin rejected the gateway's API credentials",
  [ErrorCode.UPSTREAM_FORBIDDEN]: "The gateway's OneLogin API credential is not allowed to do this",
  [ErrorCode.UPSTREAM_RATE_LIMITED]: "OneLogin's rate limit for the account is spent",
  [ErrorCode.UPSTREAM_UNAVAILABLE]: 'OneLogin is unavailable',
  [ErrorCode.UPSTREAM_TIMEOUT]: 'OneLogin did not answer in time',
  [ErrorCode.UPSTREAM_BAD_RESPONSE]: 'OneLogin sent an answer the gateway could not read',
  [ErrorCode.UPSTREAM_OUTCOME_UNKNOWN]:
    'The write may or may not have been recorded by OneLogin (no answer, or a server error from OneLogin or a proxy in front of it, came back after it was sent); it was not retried: look for the event before you send it again',
};

/**
 * Where a code means something more specific for one upstream: the legacy API
 * authenticates with the account's API key, not the OAuth client.
 */
const SERVICE_MESSAGE_BY_CODE: Readonly<Record<UpstreamService, Readonly<Record<string, string>>>> =
  {
    onelogin: {},
    'onelogin-legacy': {
      [ErrorCode.UPSTREAM_AUTH_FAILED]:
        "OneLogin rejected the gateway's legacy API key (check ONELOGIN_API_KEY)",
    },
  };

export function codeForFailure(failure: UpstreamFailure): ErrorCode {
  switch (failure.kind) {
    case 'timeout':
      return ErrorCode.UPSTREAM_TIMEOUT;
    case 'network':
      return ErrorCode.UPSTREAM_UNAVAILABLE;
    case 'bad-response':
      return ErrorCode.UPSTREAM_BAD_RESPONSE;
    case 'outcome-unknown':
      return ErrorCode.UPSTREAM_OUTCOME_UNKNOWN;
    case 'circuit-open':
      return ErrorCode.UPSTREAM_UNAVAILABLE;
    case 'credential-fault':
      return ErrorCode.UPSTREAM_AUTH_FAILED;
    case 'status':
      if (failure.rateLimited) return ErrorCode.UPSTREAM_RATE_LIMITED;
      return (
        CODE_BY_STATUS.get(failure.status) ??
        (failure.status >= 500 ? ErrorCode.UPSTREAM_UNAVAILABLE : ErrorCode.UPSTREAM_REJECTED)
      );
  }
}

/**
 * The GraphQL error for an upstream failure. It carries the status and the
 * service, never the upstream body, URL or headers.
 */
export function upstreamError(service: UpstreamService, failure: UpstreamFailure): GraphQLError {
  const code = codeForFailure(failure);
  const status =
    failure.kind === 'status' ||
    failure.kind === 'bad-response' ||
    failure.kind === 'credential-fault'
      ? failure.status
      : failure.kind === 'outcome-unknown'
        ? (failure.status ?? null)
        : null;
  const retryAfterSeconds =
    failure.kind === 'status' && failure.rateLimited ? failure.retryAfterSeconds : undefined;
  const message =
    failure.kind === 'circuit-open'
      ? 'OneLogin is unavailable: after repeated failures the gateway stops calling it for a few seconds'
      : (SERVICE_MESSAGE_BY_CODE[service][code] ??
        MESSAGE_BY_CODE[code] ??
        'OneLogin request failed');
  return new GraphQLError(status === null ? message : `${message} (HTTP ${status})`, {
    extensions: {
      code,
      upstream: { service, status },
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    },
  });
}

/** The upstream status of an error built by `upstreamError`, if any. */
export function upstreamStatusOf(error: unknown): number | null {
  if (!(error instanceof GraphQLError)) return null;
  const upstream = error.extensions['upstream'] as { status?: unknown } | undefined;
  return typeof upstream?.status === 'number' ? upstream.status : null;
}
