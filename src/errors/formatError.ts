import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';

import { tokenLimitOf } from '../server/operationLimits';
import { ErrorCode, isErrorCode } from './ErrorCode';

/**
 * Codes Apollo Server itself produces for malformed requests; they carry no
 * internals and pass through as they are.
 */
const APOLLO_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/** Which extension keys each error may show clients; everything else is dropped. */
const PUBLIC_EXTENSIONS = new Set([
  'code',
  'argument',
  'upstream',
  'retryAfterSeconds',
  'limit',
  'max',
  'cost',
]);

/** Our codes for the client's own mistakes (and refusals): logged at debug, never a 5xx. */
const REQUEST_CODES: ReadonlySet<unknown> = new Set([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.RATE_LIMITED,
  ErrorCode.OPERATION_LIMIT_EXCEEDED,
  // An operation that asks for more OneLogin calls than one request may make.
  ErrorCode.UPSTREAM_BUDGET_EXCEEDED,
  ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
  ErrorCode.IDEMPOTENCY_KEY_REUSED,
  ErrorCode.IDEMPOTENCY_KEY_IN_USE,
]);

/**
 * Whose fault an error is, by the code clients see (see `publicErrorCode`):
 * - `request`: the client's request is wrong (bad input, a malformed or
 *   unknown operation, a bad persisted query); clients fix it, the gateway
 *   logs it at debug level only;
 * - `upstream`: one of our codes about OneLogin or the gateway's configuration
 *   (a warning in the log);
 * - `internal`: anything else, a fault of the gateway itself: clients see
 *   INTERNAL_SERVER_ERROR, the log has the error.
 */
export type ErrorKind = 'request' | 'upstream' | 'internal';

export function errorKind(code: unknown): ErrorKind {
  if (typeof code !== 'string') return 'internal';
  if (REQUEST_CODES.has(code) || APOLLO_REQUEST_CODES.has(code)) return 'request';
  if (isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return 'upstream';
  return 'internal';
}

/**
 * The code an error stands for, before masking. That is its `extensions.code`,
 * except for the few request errors Apollo Server raises with a 4xx status but
 * no code (its automatic persisted query checks: "provided sha does not match
 * query", "Unsupported persisted query version"), which Apollo would label
 * INTERNAL_SERVER_ERROR: those are BAD_REQUEST.
 */
export function publicErrorCode(error: unknown, code: unknown = codeOf(error)): unknown {
  if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) return code;
  return isUncodedRequestError(error) ? 'BAD_REQUEST' : code;
}

/**
 * The only place that decides what clients see. Unknown errors become a generic
 * INTERNAL_SERVER_ERROR (the original is logged by the error-logging plugin);
 * known codes keep their message and their public extensions only, so no upstream
 * body, URL, token or stack trace can leave the gateway.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const code = publicErrorCode(error, formatted.extensions?.['code']);
  const base = {
    message: formatted.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (typeof code === 'string' && APOLLO_REQUEST_CODES.has(code)) {
    // An operation over a shape limit (see server/operationLimits.ts): its own code,
    // with which limit and its value.
    const limit = formatted.extensions?.['limit'];
    const maxTokens = code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitOf(formatted.message) : undefined;
    if (maxTokens !== undefined) {
      return {
        ...base,
        message: `The document has more than ${maxTokens} tokens, the most this gateway parses (GRAPHQL_MAX_TOKENS).`,
        extensions: {
          code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
          limit: 'maxTokens',
          max: maxTokens,
        },
      };
    }
    if (typeof limit === 'string') {
      return {
        ...base,
        extensions: {
          code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
          limit,
          max: formatted.extensions?.['max'],
        },
      };
    }
    // A literal argument that its scalar rejects (e.g. `since: "yesterday"`) is
    // reported by graphql-js as a validation error; to the client it is bad input.
    if (code === 'GRAPHQL_VALIDATION_FAILED' && isBadLiteral(formatted.message)) {
      return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    return { ...base, extensions: { code } };
  }
  if (errorKind(code) === 'internal') {
    return {
      ...base,
      message: 'Internal server error',
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(formatted.extensions ?? {})) {
    if (PUBLIC_EXTENSIONS.has(key)) extensions[key] = value;
  }
  return { ...base, extensions };
}

/**
 * formatError, without graphql-js's "Did you mean …?" hints, which hand out the
 * schema (production). Apollo's hideSchemaDetailsFromClientErrors covers
 * validation errors only; variable values that do not coerce carry hints too.
 */
export function formatErrorWithoutSuggestions(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const result = formatError(formatted, error);
  const message = result.message.replace(/ ?Did you mean [^?]*\?/g, '');
  return message === result.message ? result : { ...result, message };
}

function codeOf(error: unknown): unknown {
  return error instanceof GraphQLError ? error.extensions['code'] : undefined;
}

/** A GraphQLError Apollo Server raised about the request itself: a 4xx status, no code, no cause. */
function isUncodedRequestError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError) return false;
  if (error.extensions['code'] !== undefined) return false;
  const status = (error.extensions['http'] as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function isBadLiteral(message: string): boolean {
  return message.startsWith('Expected value of type') || message.includes('cannot represent');
}
