import { describe, expect, it } from '@jest/globals';

import type { UpstreamFailure } from '../../src/upstream/upstreamError';
import { upstreamError } from '../../src/upstream/upstreamError';

describe('upstreamError', () => {
  it.each<[UpstreamFailure, string, number | null]>([
    [{ kind: 'status', status: 400, rateLimited: false }, 'UPSTREAM_REJECTED', 400],
    [{ kind: 'status', status: 400, rateLimited: true }, 'UPSTREAM_RATE_LIMITED', 400],
    [{ kind: 'status', status: 401, rateLimited: false }, 'UPSTREAM_AUTH_FAILED', 401],
    [{ kind: 'status', status: 403, rateLimited: false }, 'UPSTREAM_FORBIDDEN', 403],
    [{ kind: 'status', status: 404, rateLimited: false }, 'UPSTREAM_REJECTED', 404],
    [{ kind: 'status', status: 422, rateLimited: false }, 'UPSTREAM_REJECTED', 422],
    [{ kind: 'status', status: 429, rateLimited: true }, 'UPSTREAM_RATE_LIMITED', 429],
    [{ kind: 'status', status: 500, rateLimited: false }, 'UPSTREAM_UNAVAILABLE', 500],
    [{ kind: 'status', status: 503, rateLimited: false }, 'UPSTREAM_UNAVAILABLE', 503],
    [{ kind: 'status', status: 418, rateLimited: false }, 'UPSTREAM_REJECTED', 418],
    [{ kind: 'timeout' }, 'UPSTREAM_TIMEOUT', null],
    [{ kind: 'network' }, 'UPSTREAM_UNAVAILABLE', null],
    [{ kind: 'bad-response', status: 200 }, 'UPSTREAM_BAD_RESPONSE', 200],
    [{ kind: 'outcome-unknown' }, 'UPSTREAM_OUTCOME_UNKNOWN', null],
    [{ kind: 'credential-fault', status: 500 }, 'UPSTREAM_AUTH_FAILED', 500],
  ])('maps %j to %s', (failure, code, status) => {
    expect(upstreamError('onelogin', failure).extensions).toEqual({
      code,
      upstream: { service: 'onelogin', status },
    });
  });

  it('says when to retry a rate-limited call', () => {
    const error = upstreamError('onelogin', {
      kind: 'status',
      status: 429,
      rateLimited: true,
      retryAfterSeconds: 832,
    });
    expect(error.message).toBe("OneLogin's rate limit for the account is spent (HTTP 429)");
    expect(error.extensions).toEqual({
      code: 'UPSTREAM_RATE_LIMITED',
      upstream: { service: 'onelogin', status: 429 },
      retryAfterSeconds: 832,
    });
  });
});
