import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';

import { errorKind, formatError, publicErrorCode } from '../../src/errors/formatError';

describe('formatError', () => {
  it('hides errors without a known code behind INTERNAL_SERVER_ERROR', () => {
    expect(
      formatError(
        {
          message: 'connect ECONNREFUSED 10.0.0.7:443',
          path: ['events'],
          extensions: { stacktrace: ['at x'] },
        },
        new Error('x'),
      ),
    ).toEqual({
      message: 'Internal server error',
      path: ['events'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps only the public extensions of a known code', () => {
    expect(
      formatError(
        {
          message: 'OneLogin is unavailable (HTTP 503)',
          extensions: {
            code: 'UPSTREAM_UNAVAILABLE',
            upstream: { service: 'onelogin', status: 503 },
            response: {
              body: 'secret upstream body',
              url: 'https://acme.onelogin.com/api/1/events',
            },
            stacktrace: ['at y'],
          },
        },
        undefined,
      ),
    ).toEqual({
      message: 'OneLogin is unavailable (HTTP 503)',
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'onelogin', status: 503 } },
    });
  });

  it('reports a literal rejected by its scalar as BAD_USER_INPUT', () => {
    expect(
      formatError(
        {
          message:
            'Expected value of type "DateTime", found "yesterday"; DateTime cannot represent an invalid date-time-string yesterday.',
          locations: [{ line: 1, column: 30 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
        undefined,
      ),
    ).toEqual({
      message:
        'Expected value of type "DateTime", found "yesterday"; DateTime cannot represent an invalid date-time-string yesterday.',
      locations: [{ line: 1, column: 30 }],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('passes Apollo request errors through', () => {
    expect(
      formatError(
        {
          message: 'Syntax Error: Expected Name, found <EOF>.',
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        },
        undefined,
      ),
    ).toEqual({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  });
});

describe('formatError and errorKind: client mistakes are client errors', () => {
  it.each([['provided sha does not match query'], ['Unsupported persisted query version']])(
    'reports Apollo’s uncoded 4xx request error "%s" as BAD_REQUEST',
    (message) => {
      const error = new GraphQLError(message, { extensions: { http: { status: 400 } } });
      expect(
        formatError({ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error),
      ).toEqual({ message, extensions: { code: 'BAD_REQUEST' } });
      expect(publicErrorCode(error)).toBe('BAD_REQUEST');
      expect(errorKind(publicErrorCode(error))).toBe('request');
    },
  );

  it('still masks an uncoded error that is not a 4xx about the request', () => {
    const thrown = new GraphQLError('db password is hunter2', {
      originalError: new Error('db password is hunter2'),
      extensions: { http: { status: 400 } },
    });
    const bare = new GraphQLError('something broke');
    for (const error of [thrown, bare]) {
      expect(
        formatError(
          { message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          error,
        ),
      ).toEqual({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(errorKind(publicErrorCode(error))).toBe('internal');
    }
  });

  it('keeps the argument of a malformed _entities representation', () => {
    expect(
      formatError(
        {
          message:
            '`representations[0].id` is required: Event entities are keyed by `id`, a OneLogin id.',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'BAD_USER_INPUT', argument: 'representations[0].id' },
        },
        undefined,
      ),
    ).toEqual({
      message:
        '`representations[0].id` is required: Event entities are keyed by `id`, a OneLogin id.',
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'BAD_USER_INPUT', argument: 'representations[0].id' },
    });
  });

  it.each([
    ['BAD_USER_INPUT', 'request'],
    ['BAD_REQUEST', 'request'],
    ['GRAPHQL_PARSE_FAILED', 'request'],
    ['GRAPHQL_VALIDATION_FAILED', 'request'],
    ['OPERATION_RESOLUTION_FAILURE', 'request'],
    ['PERSISTED_QUERY_NOT_FOUND', 'request'],
    ['PERSISTED_QUERY_NOT_SUPPORTED', 'request'],
    ['UPSTREAM_UNAVAILABLE', 'upstream'],
    ['UPSTREAM_BUDGET_EXCEEDED', 'request'],
    ['INTERNAL_SERVER_ERROR', 'internal'],
    ['SOME_LIBRARY_CODE', 'internal'],
    [undefined, 'internal'],
  ])('classifies %s as a %s error', (code, kind) => {
    expect(errorKind(code)).toBe(kind);
  });
});
