import { describe, expect, it } from '@jest/globals';

import { parseErrorBody } from '../../src/upstream/parseErrorBody';

describe('parseErrorBody', () => {
  // Every error shape of API.md §7.1, as OneLogin's docs, SDK fixtures and third-party code show them.
  it.each([
    [
      'A: the /1 status envelope',
      {
        status: { error: true, code: 401, type: 'Unauthorized', message: 'Authentication Failure' },
      },
      { message: 'Authentication Failure', rateLimited: false },
    ],
    [
      "A': the envelope with a structured message",
      {
        status: {
          error: true,
          code: 400,
          type: 'bad request',
          message: {
            description: 'last is not a valid attribute for user model',
            attribute: 'last',
          },
        },
      },
      { message: 'last is not a valid attribute for user model', rateLimited: false },
    ],
    [
      'B: the unwrapped OpenAPI Error',
      { error: true, code: 404, type: 'Not Found', message: 'No Route Exists' },
      { message: 'No Route Exists', rateLimited: false },
    ],
    [
      'C: the /2 altErr',
      {
        statusCode: 401,
        name: 'UnauthorizedError',
        message: 'This request requires Authentication',
      },
      { message: 'This request requires Authentication', rateLimited: false },
    ],
    [
      "C': the /2 field error",
      {
        message: 'Invalid sort field: created_at',
        field: 'created_at',
        name: 'UnprocessableEntityFieldError',
        statusCode: 422,
      },
      { message: 'Invalid sort field: created_at', rateLimited: false },
    ],
    [
      'D: the /2 validation list',
      {
        code: 422,
        message: 'Validation Failed',
        errors: [{ field: 'enabled', message: ['Required field is missing'] }],
      },
      { message: 'Validation Failed', rateLimited: false },
    ],
    [
      'E: the OAuth-ish cursor error',
      { status: 400, error: 'BadRequestError', description: 'Invalid pagination cursor' },
      { message: 'Invalid pagination cursor', rateLimited: false },
    ],
    [
      'the 400 rate-limit variant',
      { status: { error: true, code: 400, type: 'bad request', message: 'rate_limit_exceeded' } },
      { message: 'rate_limit_exceeded', rateLimited: true },
    ],
  ])('reads %s', (_name, body, expected) => {
    expect(parseErrorBody(JSON.stringify(body))).toEqual(expected);
  });

  it.each([
    ['<html><body>502 Bad Gateway</body></html>'],
    [''],
    ['{"status": 4'],
    ['null'],
    ['[1,2]'],
  ])('reads a body that is not an error envelope (%j) as no message', (body) => {
    expect(parseErrorBody(body)).toEqual({ message: undefined, rateLimited: false });
  });
});
