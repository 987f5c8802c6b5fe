import { describe, expect, it } from '@jest/globals';

import { formatError } from '../../src/errors/formatError';

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
