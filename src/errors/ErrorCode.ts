/**
 * Values of `extensions.code` that clients may depend on. Adding a code is safe;
 * renaming one is a breaking change. The README's error table lists them all.
 */
export enum ErrorCode {
  /** An argument, cursor, date or input is invalid; the message says what to fix. No upstream call was made. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /**
   * The request carries no valid credentials (missing, malformed, expired, wrong issuer or
   * audience, an unknown key or API key); HTTP 401 with `WWW-Authenticate: Bearer`.
   */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The caller is authenticated but its scopes do not allow this field or this user's events. */
  FORBIDDEN = 'FORBIDDEN',
  /**
   * The caller went over one of its own limits (requests per minute, or its share of OneLogin calls
   * per hour); HTTP 429 with `Retry-After`, and `extensions.retryAfterSeconds`.
   */
  RATE_LIMITED = 'RATE_LIMITED',
  /**
   * The operation is over a shape limit (depth, aliases, tokens, directives, duplicated fields, writes),
   * or an `eventAdded` subscriber already holds LIVE_SUBSCRIPTIONS_PER_CALLER_MAX subscriptions
   * (`limit: subscriptionsPerCaller`); `extensions.limit` and `extensions.max` say which.
   */
  OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED',
  /** Trusted documents are enforced and this document is not one of them (send its `documentId`). */
  PERSISTED_QUERY_NOT_ALLOWED = 'PERSISTED_QUERY_NOT_ALLOWED',
  /** Trusted documents are kept in Redis and Redis cannot be read; HTTP 503. */
  TRUSTED_DOCUMENTS_UNAVAILABLE = 'TRUSTED_DOCUMENTS_UNAVAILABLE',
  /** The identity provider's keys (JWKS) cannot be fetched and none is cached: tokens cannot be checked; HTTP 503. */
  AUTH_UNAVAILABLE = 'AUTH_UNAVAILABLE',
  /** A bug or an unexpected failure in the gateway; details are in the gateway's log only. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** The field needs an upstream the gateway has no credentials for (e.g. the legacy API key). */
  UPSTREAM_NOT_CONFIGURED = 'UPSTREAM_NOT_CONFIGURED',
  /** OneLogin rejected the gateway's own credentials (client id/secret or API key). */
  UPSTREAM_AUTH_FAILED = 'UPSTREAM_AUTH_FAILED',
  /** OneLogin refused the call: the API credential's scope does not allow it. */
  UPSTREAM_FORBIDDEN = 'UPSTREAM_FORBIDDEN',
  /** OneLogin's account rate limit is spent; `extensions.retryAfterSeconds` says when to try again. */
  UPSTREAM_RATE_LIMITED = 'UPSTREAM_RATE_LIMITED',
  /**
   * The operation can make more OneLogin calls than one request may (UPSTREAM_CALLS_PER_REQUEST_MAX).
   * Estimated before execution (server/operationCost.ts): the operation is refused whole, before any
   * call, with HTTP 400, the estimate in the message and `extensions.cost: { estimated, max }`. At run
   * time, for calls no estimate foresees (retries, a catalogue refresh): the field that would go over
   * fails on its own. Every response to an operation backed by OneLogin also reports
   * `extensions.cost: { estimated, actual, max }` at its top level (see server/plugins/costPlugin.ts).
   */
  UPSTREAM_BUDGET_EXCEEDED = 'UPSTREAM_BUDGET_EXCEEDED',
  /**
   * OneLogin's hourly budget for the account is below the reserve kept for single pages, look-ups
   * and writes, and this work needs more (a multi-page walk, a large batch); `extensions.retryAfterSeconds`
   * says when the budget resets.
   */
  UPSTREAM_BUDGET_LOW = 'UPSTREAM_BUDGET_LOW',
  /** OneLogin did not answer in time. */
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  /** OneLogin answered with a server error or could not be reached, also after retries. */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  /** OneLogin answered with something the gateway could not read. */
  UPSTREAM_BAD_RESPONSE = 'UPSTREAM_BAD_RESPONSE',
  /** OneLogin rejected a request the gateway built; see the gateway's log. */
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  /**
   * A write may or may not have been recorded: no answer came back after it was sent, or a
   * server error from OneLogin or a proxy in front of it (a 4xx proves it was not); it was not retried.
   */
  UPSTREAM_OUTCOME_UNKNOWN = 'UPSTREAM_OUTCOME_UNKNOWN',
  /**
   * `createEvent`'s `idempotencyKey` was used by the same caller, within the 24 hours it is kept, for a
   * different input; nothing was sent. A new event needs a new key.
   */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /**
   * A `createEvent` with the same `idempotencyKey` (same caller) is still running, on this replica or
   * another; nothing was sent. Try again after `extensions.retryAfterSeconds` to get its answer.
   */
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
  /**
   * `eventAdded`: the subscriber did not read its events fast enough, and LIVE_SUBSCRIBER_BUFFER
   * events waited for it; the subscription ends with this error. Resubscribe with `after` set to the
   * `liveCursor` of the last event received to continue without a gap.
   */
  LIVE_SUBSCRIBER_TOO_SLOW = 'LIVE_SUBSCRIBER_TOO_SLOW',
  /**
   * `eventAdded`: the gateway replica is shutting down, or could not read the live feed; the
   * subscription ends with this error. Resubscribe (to any replica) with `after` to continue.
   */
  LIVE_FEED_UNAVAILABLE = 'LIVE_FEED_UNAVAILABLE',
}

const KNOWN_CODES: ReadonlySet<unknown> = new Set<string>(Object.values(ErrorCode));

/** Whether `code` is one of ours (an `extensions.code` clients may depend on). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return KNOWN_CODES.has(code);
}
