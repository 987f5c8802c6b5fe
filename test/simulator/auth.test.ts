import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DEMO_CREDENTIALS, startSimulator } from '../../src/simulator';
import type { SimulatorHandle } from '../../src/simulator';
import { FIXED_NOW, basic, call, getToken } from './helpers/simulatorClient';
import { createTestClock } from '../helpers/testClock';

const { clientId, clientSecret } = DEMO_CREDENTIALS;

function failure(code: number, type: string, message: string) {
  return { status: code, body: { status: { error: true, code, type, message } } };
}

describe('POST /auth/oauth2/v2/token', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 100 });
  });
  beforeEach(() => simulator.tokens.revokeAll());
  afterAll(() => simulator.close());

  const token = (init: RequestInit, query = '') =>
    call(simulator, `/auth/oauth2/v2/token${query}`, { method: 'POST', ...init });

  it.each<[string, RequestInit, string]>([
    [
      'the custom header with a JSON body',
      {
        headers: {
          Authorization: `client_id:${clientId}, client_secret:${clientSecret}`,
          'Content-Type': 'application/json',
        },
        body: '{"grant_type":"client_credentials"}',
      },
      '',
    ],
    [
      'the custom header without a space after the comma (Ruby SDK)',
      {
        headers: {
          Authorization: `client_id:${clientId},client_secret:${clientSecret}`,
          'Content-Type': 'application/json',
        },
        body: '{"grant_type":"client_credentials"}',
      },
      '',
    ],
    [
      'HTTP Basic with a JSON body',
      {
        headers: {
          Authorization: basic(clientId, clientSecret),
          'Content-Type': 'application/json',
        },
        body: '{"grant_type":"client_credentials"}',
      },
      '',
    ],
    [
      'a form body with the credentials in it',
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
      },
      '',
    ],
    [
      'HTTP Basic with grant_type in a form body',
      {
        headers: {
          Authorization: basic(clientId, clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      },
      '',
    ],
    [
      'the custom header with grant_type in the query string (XSOAR)',
      {
        headers: {
          Authorization: `client_id:${clientId}, client_secret:${clientSecret}`,
          'Content-Type': 'application/json',
        },
      },
      '?grant_type=client_credentials',
    ],
  ])('issues a token for %s', async (_name, init, query) => {
    const answer = await token(init, query);

    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 200,
      body: {
        access_token: expect.stringMatching(/^[0-9a-f]{64}$/),
        created_at: expect.any(String),
        expires_in: 36000,
        refresh_token: 'deprecated',
        token_type: 'bearer',
        account_id: 53413,
      },
    });
  });

  it('returns the same token until it is revoked, then a new one', async () => {
    const first = await getToken(simulator);
    const again = await getToken(simulator);
    const issuedBefore = simulator.tokens.issued();
    simulator.tokens.revokeAll();
    const fresh = await getToken(simulator);

    expect(again).toBe(first);
    expect(fresh).not.toBe(first);
    expect(simulator.tokens.issued()).toBe(issuedBefore + 1);
  });

  it('returns a new token once the old one expired', async () => {
    const first = await getToken(simulator);
    simulator.tokens.expireAll();

    expect(await getToken(simulator)).not.toBe(first);
  });

  it('reports the seconds a repeated token has left', async () => {
    const clock = createTestClock();
    const short = await startSimulator({
      now: FIXED_NOW,
      clock,
      eventCount: 10,
      tokenLifetimeSeconds: 3,
    });
    try {
      const first = (
        await call(short, '/auth/oauth2/v2/token', {
          method: 'POST',
          headers: { Authorization: basic(clientId, clientSecret) },
          body: '{"grant_type":"client_credentials"}',
        })
      ).body as { expires_in: number; created_at: string };
      clock.advance(1100);
      const second = (
        await call(short, '/auth/oauth2/v2/token', {
          method: 'POST',
          headers: { Authorization: basic(clientId, clientSecret) },
          body: '{"grant_type":"client_credentials"}',
        })
      ).body as { expires_in: number; created_at: string };

      expect([first.expires_in, second.expires_in, second.created_at]).toEqual([
        3,
        2,
        first.created_at,
      ]);
    } finally {
      await short.close();
    }
  });

  it.each<[string, RequestInit, ReturnType<typeof failure>]>([
    [
      'a wrong secret',
      {
        headers: { Authorization: `client_id:${clientId}, client_secret:nope` },
        body: '{"grant_type":"client_credentials"}',
      },
      failure(401, 'Unauthorized', 'Authentication Failure'),
    ],
    [
      'a wrong client id over Basic',
      {
        headers: { Authorization: basic('someone', clientSecret) },
        body: '{"grant_type":"client_credentials"}',
      },
      failure(401, 'Unauthorized', 'Authentication Failure'),
    ],
    [
      'wrong credentials in a form',
      {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${clientId}&client_secret=x`,
      },
      failure(401, 'Unauthorized', 'Authentication Failure'),
    ],
    [
      'no credentials at all',
      { body: '{"grant_type":"client_credentials"}' },
      failure(400, 'bad request', 'The authorization information is missing'),
    ],
    [
      'a bearer header instead of client credentials',
      { headers: { Authorization: 'Bearer abc' }, body: '{"grant_type":"client_credentials"}' },
      failure(400, 'bad request', 'Authorization Information is incorrect'),
    ],
    [
      'Basic without a colon',
      {
        headers: { Authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
        body: '{"grant_type":"client_credentials"}',
      },
      failure(400, 'bad request', 'Authorization Information is incorrect'),
    ],
    [
      'a wrong grant_type',
      {
        headers: { Authorization: basic(clientId, clientSecret) },
        body: '{"grant_type":"password"}',
      },
      failure(400, 'bad request', 'grant_type is incorrect/absent'),
    ],
    [
      'the old SDKs’ refresh grant',
      {
        headers: { Authorization: basic(clientId, clientSecret) },
        body: '{"grant_type":"refresh_token","refresh_token":"deprecated"}',
      },
      failure(400, 'bad request', 'grant_type is incorrect/absent'),
    ],
    [
      'no grant_type',
      { headers: { Authorization: basic(clientId, clientSecret) } },
      failure(400, 'bad request', 'grant_type is incorrect/absent'),
    ],
    [
      'a body that is not JSON',
      {
        headers: {
          Authorization: basic(clientId, clientSecret),
          'Content-Type': 'application/json',
        },
        body: '{"grant_type":',
      },
      failure(400, 'bad request', 'Request Failure'),
    ],
  ])('refuses %s', async (_name, init, expected) => {
    const answer = await token(init);

    expect({ status: answer.status, body: answer.body }).toEqual(expected);
  });

  it('answers 404 "No Route Exists" to a GET', async () => {
    const answer = await call(simulator, '/auth/oauth2/v2/token');

    expect({ status: answer.status, body: answer.body }).toEqual(
      failure(404, 'not found', 'No Route Exists'),
    );
  });
});

describe('POST /auth/oauth2/revoke', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 10 });
  });
  afterAll(() => simulator.close());

  const revoke = (headers: Record<string, string>, body?: string) =>
    call(simulator, '/auth/oauth2/revoke', { method: 'POST', headers, body });
  const json = { 'Content-Type': 'application/json' };

  it('revokes with HTTP Basic too (Go and .NET SDKs)', async () => {
    const token = await getToken(simulator);
    const answer = await revoke(
      { ...json, Authorization: basic(clientId, clientSecret) },
      JSON.stringify({ access_token: token }),
    );
    const after = await call(simulator, '/api/1/events', {
      headers: { Authorization: `Bearer ${token}` },
    });

    expect(answer.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it.each<[string, Record<string, string>, string | undefined, ReturnType<typeof failure>]>([
    [
      'a form body',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: basic(clientId, clientSecret),
      },
      'access_token=abc',
      failure(
        400,
        'bad request',
        'Content Type is not specified or specified incorrectly. Content-Type header must be set to application/json',
      ),
    ],
    [
      'no credentials',
      json,
      '{"access_token":"abc"}',
      failure(400, 'bad request', 'The authorization information is missing'),
    ],
    [
      'wrong credentials',
      { ...json, Authorization: `client_id:${clientId}, client_secret:wrong` },
      '{"access_token":"abc"}',
      failure(401, 'Unauthorized', 'Authentication Failure'),
    ],
    [
      'no access token',
      { ...json, Authorization: basic(clientId, clientSecret) },
      '{}',
      failure(400, 'bad request', 'Access Token Missing'),
    ],
  ])('refuses %s', async (_name, headers, body, expected) => {
    const answer = await revoke(headers, body);

    expect({ status: answer.status, body: answer.body }).toEqual(expected);
  });
});

describe('resource authorization', () => {
  let simulator: SimulatorHandle;
  let token: string;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 100 });
    token = await getToken(simulator);
  });
  afterAll(() => simulator.close());

  const events = (authorization?: string) =>
    call(simulator, '/api/1/events?limit=1', {
      headers: authorization === undefined ? {} : { Authorization: authorization },
    });

  it.each([
    ['bearer:<t> (the docs)', (t: string) => `bearer:${t}`],
    ['bearer <t> (Ruby, Java, Python SDKs)', (t: string) => `bearer ${t}`],
    ['Bearer <t> (Go, .NET, RFC 6750)', (t: string) => `Bearer ${t}`],
    ['Bearer:<t> (XSOAR)', (t: string) => `Bearer:${t}`],
  ])('accepts %s', async (_name, header) => {
    expect((await events(header(token))).status).toBe(200);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['Basic credentials', basic(clientId, clientSecret)],
    ['the scheme alone', 'bearer'],
    ['the token alone', 'TOKEN'],
    ['two tokens', 'Bearer TOKEN TOKEN'],
  ])('answers 400 to %s', async (_name, header) => {
    const answer = await events(header?.replace('TOKEN', token).replace('TOKEN', token));

    expect({ status: answer.status, body: answer.body }).toEqual(
      failure(400, 'bad request', 'Authorization Information is incorrect'),
    );
  });

  it('answers 401 to unknown, expired and revoked tokens', async () => {
    const unknown = await events('Bearer 0000');
    simulator.tokens.expireAll();
    const expired = await events(`Bearer ${token}`);
    token = await getToken(simulator);
    simulator.tokens.revokeAll();
    const revoked = await events(`Bearer ${token}`);
    token = await getToken(simulator);

    expect([unknown, expired, revoked].map((answer) => [answer.status, answer.body])).toEqual(
      Array(3).fill([401, failure(401, 'Unauthorized', 'Authentication Failure').body]),
    );
  });

  it('requires a token on event by id and rate_limit too', async () => {
    const id = simulator.data.events()[0]?.id;

    expect((await call(simulator, `/api/1/events/${id}`)).status).toBe(400);
    expect((await call(simulator, '/auth/rate_limit')).status).toBe(400);
    expect(
      (await call(simulator, '/auth/rate_limit', { headers: { Authorization: 'bearer:nope' } }))
        .status,
    ).toBe(401);
  });

  it('serves event types with no token, a valid one, or a stale one (the header is not read)', async () => {
    const statuses = await Promise.all(
      [undefined, `Bearer ${token}`, 'Bearer stale', 'garbage'].map(
        async (authorization) =>
          (
            await call(simulator, '/api/1/events/types', {
              headers: authorization === undefined ? {} : { Authorization: authorization },
            })
          ).status,
      ),
    );

    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});

describe('custom credentials', () => {
  it('accepts only the credentials it was started with', async () => {
    const simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 10,
      clientId: 'my-client',
      clientSecret: 'my-secret',
      apiKey: 'my-key',
    });
    try {
      const post = (authorization: string) =>
        call(simulator, '/auth/oauth2/v2/token', {
          method: 'POST',
          headers: { Authorization: authorization },
          body: '{"grant_type":"client_credentials"}',
        });

      expect((await post(basic('my-client', 'my-secret'))).status).toBe(200);
      expect((await post(basic(clientId, clientSecret))).status).toBe(401);
      expect(
        (
          await call(
            simulator,
            '/api/v1/logins/failed_provisioning.json?start_date=2025-01-01T00:00:00Z&stop_date=2025-01-02T00:00:00Z',
            { headers: { Authorization: basic('my-key', 'x') } },
          )
        ).status,
      ).toBe(200);
    } finally {
      await simulator.close();
    }
  });
});
