import type { GraphQLFormattedError } from 'graphql';

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
const PUBLIC_EXTENSIONS = new Set(['code', 'argument', 'upstream', 'retryAfterSeconds']);

/**
 * The only place that decides what clients see. Unknown errors become a generic
 * INTERNAL_SERVER_ERROR (the original is logged by the error-logging plugin);
 * known codes keep their message and their public extensions only, so no upstream
 * body, URL, token or stack trace can leave the gateway.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  _error: unknown,
): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  const base = {
    message: formatted.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (typeof code === 'string' && APOLLO_REQUEST_CODES.has(code)) {
    // A literal argument that its scalar rejects (e.g. `since: "yesterday"`) is
    // reported by graphql-js as a validation error; to the client it is bad input.
    if (code === 'GRAPHQL_VALIDATION_FAILED' && isBadLiteral(formatted.message)) {
      return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    return { ...base, extensions: { code } };
  }
  if (typeof code !== 'string' || !isErrorCode(code) || code === ErrorCode.INTERNAL_SERVER_ERROR) {
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

function isBadLiteral(message: string): boolean {
  return message.startsWith('Expected value of type') || message.includes('cannot represent');
}
