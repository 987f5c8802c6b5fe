import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { createLogger } from '../../src/logging/createLogger';
import { HttpTransport, UpstreamFailureError } from '../../src/upstream/HttpTransport';
import { TokenProvider } from '../../src/upstream/TokenProvider';
import { upstreamError } from '../../src/upstream/upstreamError';

const CLIENT_ID = 'c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2';
const CLIENT_SECRET = 'secret-0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978';
const BASIC = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
const START = Date.parse('2024-05-01T12:00:00.000Z');

interface Answer {
  status: number;
  body: string;
}

const DELETED_CREATOR: Answer = {
  status: 500,
  body: JSON.stringify({
    status: {
      error: true,
      code: 500,
      type: 'internal server error',
      message: 'Internal Server Error',
    },
  }),
};
const INVALID_CLIENT: Answer = {
  status: 401,
  body: JSON.stringify({
    status: { error: true, code: 401, type: 'Unauthorized', message: 'Authentication Failure' },
  }),
};
const UNAVAILABLE: Answer = {
  status: 503,
  body: '<html>503 Service Temporarily Unavailable</html>',
};

function tokenAnswer(accessToken: string): Answer {
  return {
    status: 200,
    body: JSON.stringify({
      access_token: accessToken,
      created_at: new Date(START).toISOString(),
      expires_in: 36000,
      refresh_token: 'deprecated',
      token_type: 'bearer',
      account_id: 555555,
    }),
  };
}

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const ERROR = 50;
const WARN = 40;

describe('TokenProvider', () => {
  let server: http.Server;
  let origin: string;
  /** What the fake token endpoint answers, one entry per call; the last one repeats. */
  let answers: Answer[];
  let tokenCalls: number;
  let rawLogs: string[];
  let clock: number;
  let transport: HttpTransport;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/auth/oauth2/v2/token') tokenCalls += 1;
        const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    answers = [tokenAnswer('a'.repeat(64))];
    tokenCalls = 0;
    rawLogs = [];
    clock = START;
  });
  afterEach(async () => {
    await transport.close();
  });

  /** A provider as production wires it (UPSTREAM_RETRIES defaults to 2), on a clock the test moves. */
  function provider(retries = 2): TokenProvider {
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          rawLogs.push(chunk.toString('utf8'));
          callback();
        },
      }),
    });
    transport = new HttpTransport({ origin, timeoutMs: 2000, maxConnections: 2, retries, logger });
    return new TokenProvider({
      transport,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      logger,
      now: () => clock,
    });
  }

  const logs = (): LogLine[] => rawLogs.map((line) => JSON.parse(line) as LogLine);
  const atLevel = (level: number) => logs().filter((line) => line.level === level);

  /** How `getToken` failed, as the GraphQL error clients would get. */
  async function failure(tokens: TokenProvider) {
    try {
      await tokens.getToken();
    } catch (error) {
      if (!(error instanceof UpstreamFailureError)) throw error;
      const graphQLError = upstreamError('onelogin', error.failure);
      return { message: graphQLError.message, extensions: graphQLError.extensions };
    }
    throw new Error('expected getToken to fail');
  }

  const AUTH_FAILED_500 = {
    message: "OneLogin rejected the gateway's API credentials (HTTP 500)",
    extensions: { code: 'UPSTREAM_AUTH_FAILED', upstream: { service: 'onelogin', status: 500 } },
  };

  describe('a 500 from the token endpoint (the credential’s creating user was deleted)', () => {
    it('is one request, reported as UPSTREAM_AUTH_FAILED, not retried', async () => {
      answers = [DELETED_CREATOR];
      const tokens = provider();

      expect(await failure(tokens)).toEqual(AUTH_FAILED_500);
      expect(tokenCalls).toBe(1);
    });

    it('logs the likely cause once, at error level, without the secret or the Authorization header', async () => {
      answers = [DELETED_CREATOR];
      const tokens = provider();

      await failure(tokens);
      await failure(tokens); // inside the window
      clock += 1000;
      await failure(tokens); // the next window's one request, still 500

      const errors = atLevel(ERROR);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toEqual(
        expect.objectContaining({
          route: 'POST /auth/oauth2/v2/token',
          status: 500,
          clientId: CLIENT_ID,
          backoffMs: 1000,
        }),
      );
      expect(errors[0]!.msg).toContain('the user who created the API credential was deleted');
      expect(errors[0]!.msg).toContain('or the credential was revoked');
      expect(errors[0]!.msg).toContain("create a new API credential in OneLogin's admin");
      expect(errors[0]!.msg).toContain('ONELOGIN_CLIENT_ID/ONELOGIN_CLIENT_SECRET');
      // Later failures of the same episode are warnings, one per window.
      expect(atLevel(WARN)).toEqual([
        expect.objectContaining({ status: 500, failures: 2, backoffMs: 2000 }),
      ]);
      const everything = rawLogs.join('');
      expect(everything).not.toContain(CLIENT_SECRET);
      expect(everything).not.toContain(BASIC);
      expect(everything).not.toMatch(/basic /i);
    });

    it('makes one token request per backoff window and fails fast inside it', async () => {
      answers = [DELETED_CREATOR];
      const tokens = provider();

      expect(await failure(tokens)).toEqual(AUTH_FAILED_500);
      expect(tokenCalls).toBe(1);

      // Window 1 s: every call inside it fails at once, with the same answer.
      for (const at of [0, 1, 500, 999]) {
        clock = START + at;
        expect(await failure(tokens)).toEqual(AUTH_FAILED_500);
      }
      expect(tokenCalls).toBe(1);

      // Windows then double per consecutive failure, up to 60 s.
      const windows = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];
      let windowStart = START;
      for (const [index, window] of windows.entries()) {
        clock = windowStart + window - 1;
        expect(await failure(tokens)).toEqual(AUTH_FAILED_500);
        expect(tokenCalls).toBe(index + 1);
        clock = windowStart + window;
        windowStart = clock;
        expect(await failure(tokens)).toEqual(AUTH_FAILED_500);
        expect(tokenCalls).toBe(index + 2);
      }
      expect(atLevel(ERROR)).toHaveLength(1);
    });

    it('does not stay shut when the clock is set back', async () => {
      answers = [DELETED_CREATOR];
      const tokens = provider();

      await failure(tokens);
      clock = START - 3_600_000; // NTP stepped the clock back an hour
      await failure(tokens);
      expect(tokenCalls).toBe(2);
    });

    it('shares one token request among concurrent callers', async () => {
      answers = [DELETED_CREATOR];
      const tokens = provider();

      const results = await Promise.all(Array.from({ length: 5 }, () => failure(tokens)));
      expect(results).toEqual(Array.from({ length: 5 }, () => AUTH_FAILED_500));
      expect(tokenCalls).toBe(1);
    });

    it('recovers after the window, and a success resets the backoff', async () => {
      answers = [DELETED_CREATOR, DELETED_CREATOR, tokenAnswer('b'.repeat(64)), DELETED_CREATOR];
      const tokens = provider();

      await failure(tokens); // window 1 s
      clock += 1000;
      await failure(tokens); // window 2 s
      clock += 1999;
      await failure(tokens); // inside: no request
      expect(tokenCalls).toBe(2);

      clock += 1; // the new credential is in place by now
      await expect(tokens.getToken()).resolves.toBe('b'.repeat(64));
      expect(tokenCalls).toBe(3);
      await expect(tokens.getToken()).resolves.toBe('b'.repeat(64)); // cached
      expect(tokenCalls).toBe(3);
      expect(logs()).toContainEqual(
        expect.objectContaining({ level: 30, msg: expect.stringMatching(/backoff reset/) }),
      );

      // A new episode starts from 1 s again and is reported again.
      tokens.invalidate('b'.repeat(64));
      await failure(tokens);
      expect(tokenCalls).toBe(4);
      clock += 999;
      await failure(tokens);
      expect(tokenCalls).toBe(4);
      clock += 1;
      await failure(tokens);
      expect(tokenCalls).toBe(5);
      expect(atLevel(ERROR)).toHaveLength(2);
    });
  });

  describe('a 401 invalid client', () => {
    it('is not re-requested inside the window and says to check the credentials', async () => {
      answers = [INVALID_CLIENT];
      const tokens = provider();
      const expected = {
        message: "OneLogin rejected the gateway's API credentials (HTTP 401)",
        extensions: {
          code: 'UPSTREAM_AUTH_FAILED',
          upstream: { service: 'onelogin', status: 401 },
        },
      };

      expect(await failure(tokens)).toEqual(expected);
      clock += 999;
      expect(await failure(tokens)).toEqual(expected);
      expect(tokenCalls).toBe(1);
      clock += 1;
      expect(await failure(tokens)).toEqual(expected);
      expect(tokenCalls).toBe(2);

      const errors = atLevel(ERROR);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.msg).toContain('ONELOGIN_CLIENT_ID/ONELOGIN_CLIENT_SECRET are wrong');
      expect(rawLogs.join('')).not.toContain(CLIENT_SECRET);
    });
  });

  describe('a transient failure (503)', () => {
    it('keeps the transport’s retries, then backs off up to 10 s without an error-level line', async () => {
      answers = [UNAVAILABLE];
      const tokens = provider(1);
      const expected = {
        message: 'OneLogin is unavailable (HTTP 503)',
        extensions: {
          code: 'UPSTREAM_UNAVAILABLE',
          upstream: { service: 'onelogin', status: 503 },
        },
      };

      expect(await failure(tokens)).toEqual(expected);
      expect(tokenCalls).toBe(2); // the first try and one retry

      let windowStart = START;
      for (const window of [1000, 2000, 4000, 8000, 10_000, 10_000]) {
        const before = tokenCalls;
        clock = windowStart + window - 1;
        expect(await failure(tokens)).toEqual(expected);
        expect(tokenCalls).toBe(before);
        clock = windowStart + window;
        windowStart = clock;
        expect(await failure(tokens)).toEqual(expected);
        expect(tokenCalls).toBe(before + 2);
      }
      expect(atLevel(ERROR)).toEqual([]);
      expect(atLevel(WARN).map((line) => line['backoffMs'])).toEqual([
        1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
      ]);
    });
  });
});
