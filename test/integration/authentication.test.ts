import { createHash, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { createTestClock, TEST_NOW } from '../helpers/testClock';
import { userWithEvents } from '../helpers/testData';
import {
  startTestIdentityProvider,
  TEST_AUDIENCE,
  TEST_ISSUER,
  type TestIdentityProvider,
  type TestSigningKey,
} from '../helpers/testIdentityProvider';

const REALM = 'onelogin-events-gateway';
const CALLER_QUERY = '{ me { id } eventType(id: "5") { id name } }';
const EVENT_TYPE_5 = { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' };
const UNKNOWN_KID =
  "The token is signed with a key the identity provider's key set (JWKS) does not hold (unknown kid): get a new token.";
const BAD_SIGNATURE = 'The token signature does not verify.';
const ALG_REFUSED =
  'The token is signed with an algorithm this gateway does not accept; it accepts RS256, PS256, ES256, EdDSA.';

/** An HTTP answer, without the headers every answer has (date, connection, keep-alive, and a new x-request-id). */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** POSTs `body` with `headers`: the answer, and the body as sent. */
async function send(
  gateway: TestGateway,
  headers: Record<string, string>,
  body: unknown = { query: CALLER_QUERY },
): Promise<{ answer: Answer; text: string }> {
  const response = await gateway.post(body, headers);
  const kept = Object.fromEntries(
    [...response.headers].filter(
      ([name]) => !['date', 'connection', 'keep-alive', 'x-request-id'].includes(name),
    ),
  );
  return {
    answer: { status: response.status, headers: kept, body: JSON.parse(response.text) as unknown },
    text: response.text,
  };
}

async function ask(
  gateway: TestGateway,
  headers: Record<string, string>,
  query = CALLER_QUERY,
): Promise<Answer> {
  return (await send(gateway, headers, { query })).answer;
}

/** A JSON answer; `text` is the body as sent (Apollo ends it with a line break, the gateway's own answers do not). */
function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  text = JSON.stringify(body),
): Answer {
  return {
    status,
    headers: {
      // Production lists no CORS origin: every answer varies by Origin.
      vary: 'origin',
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    },
    body,
  };
}

/**
 * Apollo's answer with data and no error, with its `extensions` if any: what it
 * cost, for CALLER_QUERY (whose `eventType` costs a call when it loads the
 * catalogue, `cost(1, 1)`, and none once it is loaded, `cost(0, 0)`).
 */
const ok = (data: unknown, extensions?: unknown): Answer => {
  const body = extensions === undefined ? { data } : { data, extensions };
  return json(200, body, {}, `${JSON.stringify(body)}\n`);
};

/** 401 UNAUTHENTICATED with its RFC 6750 challenge. */
function unauthenticated(message: string, error?: 'invalid_request' | 'invalid_token'): Answer {
  return json(
    401,
    { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
    {
      'www-authenticate': error
        ? `Bearer realm="${REALM}", error="${error}", error_description="${message}"`
        : `Bearer realm="${REALM}"`,
    },
  );
}

const AUTH_UNAVAILABLE = json(
  503,
  {
    errors: [
      {
        message:
          "The identity provider's signing keys cannot be fetched right now, so the token cannot be checked: try again shortly.",
        extensions: { code: 'AUTH_UNAVAILABLE' },
      },
    ],
  },
  { 'retry-after': '5' },
);

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(
    Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'),
  ) as Record<string, unknown>;
}

/** The claims a valid token of the test provider carries, for tokens made by hand. */
function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: TEST_ISSUER,
    aud: [TEST_AUDIENCE],
    sub: '1001',
    scope: 'events:read',
    iat: now,
    exp: now + 900,
    ...extra,
  };
}

/** A token signed with HMAC-SHA256, the secret being `secret` (e.g. the provider's public key). */
function hs256(secret: string, kid: string): string {
  const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${b64url(validClaims())}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** The log lines as objects, without what changes from run to run. */
function logEntries(gateway: TestGateway): Array<Record<string, unknown>> {
  return gateway.logs.map((line) => {
    const {
      time: _time,
      pid: _pid,
      hostname: _hostname,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  });
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still not so after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const SERVICE = 'onelogin-events-gateway';

let simulator: SimulatorHandle;
let userId: string;

beforeAll(async () => {
  simulator = await startSimulator({ now: TEST_NOW, eventCount: 2000 });
  userId = String(userWithEvents(simulator.data.events(), 3));
});
afterAll(async () => {
  await simulator.close();
});

describe('JWT authentication in production', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ simulator, env: idp.env({ NODE_ENV: 'production' }) });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });

  it('says at start-up that callers must authenticate', () => {
    expect(logEntries(gateway)).toContainEqual({
      level: 30,
      service: SERVICE,
      methods: ['jwt'],
      anonymous: 'refused',
      msg: 'Callers must authenticate: jwt',
    });
  });

  it('answers a valid token with data, as the user of its sub', async () => {
    const token = await idp.sign({ scope: 'events:read' });

    const answer = await ask(gateway, bearer(token));
    expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(1, 1)));
  });

  it('refuses a request without credentials, with a challenge and no error code', async () => {
    const answer = await ask(gateway, {});
    expect(answer).toEqual(
      unauthenticated(
        'This gateway needs credentials: send `Authorization: Bearer <access token>`.',
      ),
    );
  });

  it.each([
    ['a Basic header', 'Basic dXNlcjpwYXNzd29yZA=='],
    ['Bearer with nothing after it', 'Bearer'],
    ['Bearer with two tokens', 'Bearer one two'],
  ])('refuses %s as a malformed request', async (_name, authorization) => {
    const answer = await ask(gateway, { authorization });
    expect(answer).toEqual(
      unauthenticated(
        'The Authorization header must be `Bearer <access token>`.',
        'invalid_request',
      ),
    );
  });

  it('answers from the headers alone, before reading a body too large to accept', async () => {
    const answer = await send(gateway, {}, { query: CALLER_QUERY, padding: 'x'.repeat(2_000_000) });
    expect(answer.answer).toEqual(
      unauthenticated(
        'This gateway needs credentials: send `Authorization: Bearer <access token>`.',
      ),
    );
  });

  it('takes the Bearer scheme in any case', async () => {
    const token = await idp.sign({ scope: 'events:read' });
    const answer = await ask(gateway, { authorization: `bEaReR ${token}` });
    expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(0, 0)));
  });

  it('refuses an x-api-key where only JWTs are accepted', async () => {
    const answer = await ask(gateway, { 'x-api-key': 'olgw_something' });
    expect(answer).toEqual(
      unauthenticated(
        'This gateway does not accept API keys: send an access token.',
        'invalid_token',
      ),
    );
  });

  const refused: Array<[string, () => Promise<string>, (token: string) => string]> = [
    [
      'a bearer that is not a JWT',
      async () => 'olgw_notajwt',
      () => 'The bearer token is not a signed JWT.',
    ],
    [
      'an expired token',
      () => idp.sign({ expiresIn: -120 }),
      (token) =>
        `The token expired at ${new Date((claimsOf(token).exp as number) * 1000).toISOString()}: get a new one.`,
    ],
    [
      'a token not valid yet (nbf)',
      () => idp.sign({ notBefore: 120 }),
      () => 'The token is not valid yet (nbf is in the future).',
    ],
    [
      'a token for another audience',
      () => idp.sign({ audience: 'another-app' }),
      () =>
        'The token is not meant for this gateway: its audience (aud) must be onelogin-events-gateway.',
    ],
    [
      'a token of another issuer',
      () => idp.sign({ issuer: 'https://evil.example.com/oidc/2' }),
      () =>
        'The token was not issued by https://acme.onelogin.com/oidc/2, the issuer this gateway trusts.',
    ],
    [
      'a token signed with a key the JWKS does not publish (unknown kid)',
      async () => idp.sign({ key: await idp.newKey() }),
      () => UNKNOWN_KID,
    ],
    [
      'an unsigned token (alg none)',
      async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims())}.`,
      () => ALG_REFUSED,
    ],
    [
      "an HS256 token whose HMAC secret is the provider's public key (PEM)",
      async () =>
        hs256(
          createPublicKey({ key: idp.key.publicJwk as never, format: 'jwk' })
            .export({ type: 'spki', format: 'pem' })
            .toString(),
          idp.key.kid,
        ),
      () => ALG_REFUSED,
    ],
    [
      "an HS256 token whose HMAC secret is the provider's public key (JWK)",
      async () => hs256(JSON.stringify(idp.key.publicJwk), idp.key.kid),
      () => ALG_REFUSED,
    ],
    [
      'a token without exp',
      () => idp.sign({ expiresIn: null }),
      () => 'The token has no valid `exp` claim: the gateway only accepts tokens that expire.',
    ],
    [
      "a token signed by another provider's key with the same kid",
      async () => {
        const impostor: TestSigningKey = { ...(await idp.newKey()), kid: idp.key.kid };
        return idp.sign({ key: impostor });
      },
      () => BAD_SIGNATURE,
    ],
    [
      'a token whose payload was changed after signing',
      async () => {
        const [header, , signature] = (await idp.sign({ scope: 'events:read:self' })).split('.');
        const payload = b64url({ ...validClaims(), scope: 'events:read events:write' });
        return `${header}.${payload}.${signature}`;
      },
      () => BAD_SIGNATURE,
    ],
    [
      'a token without sub',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ scope: 'events:read' })
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: idp.key.kid })
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setIssuedAt(now)
          .setExpirationTime(now + 900)
          .sign(idp.key.privateKey);
      },
      () => 'The token has no `sub` claim: the gateway cannot tell who is calling.',
    ],
    [
      'a token longer than 8192 characters',
      () => idp.sign({ claims: { padding: 'x'.repeat(9000) } }),
      () => 'The bearer token is longer than 8192 characters.',
    ],
  ];

  it.each(refused)(
    'refuses %s with 401 and says what is wrong, never repeating the token',
    async (_name, makeToken, message) => {
      const token = await makeToken();

      const { answer, text } = await send(gateway, bearer(token));

      expect(answer).toEqual(unauthenticated(message(token), 'invalid_token'));
      expect(text).not.toContain(token);
      expect(Object.values(answer.headers).join('\n')).not.toContain(token);
      expect(gateway.logs.join('')).not.toContain(token);
      const signature = token.split('.')[2];
      if (signature) expect(gateway.logs.join('') + text).not.toContain(signature);
    },
  );

  describe('clock tolerance (30 s by default)', () => {
    it('accepts a token that expired 10 s ago', async () => {
      const answer = await ask(
        gateway,
        bearer(await idp.sign({ scope: 'events:read', expiresIn: -10 })),
      );
      expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(0, 0)));
    });

    it('accepts a token valid from 10 s from now', async () => {
      const answer = await ask(
        gateway,
        bearer(await idp.sign({ scope: 'events:read', notBefore: 10 })),
      );
      expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(0, 0)));
    });

    it('refuses a token that expired 60 s ago', async () => {
      const token = await idp.sign({ expiresIn: -60 });
      const answer = await ask(gateway, bearer(token));
      expect(answer).toEqual(
        unauthenticated(
          `The token expired at ${new Date((claimsOf(token).exp as number) * 1000).toISOString()}: get a new one.`,
          'invalid_token',
        ),
      );
    });
  });

  describe('the scope claim', () => {
    const EVENTS = '{ events(first: 1) { nodes { id } } }';
    const forbiddenEvents = (held: string) => ({
      data: null,
      extensions: cost(1, 0),
      errors: [
        {
          message: `\`events\` needs the scope events:read or events:read:self; this caller has ${held}.`,
          locations: [{ line: 1, column: 3 }],
          path: ['events'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });

    it('reads a space-separated string, keeping only the scopes the gateway knows', async () => {
      const token = await idp.sign({
        scope: '  provisioning:read   events:write offline_access graphql:any-operation ',
      });
      expect(await gateway.executeAs(bearer(token), EVENTS)).toEqual(
        forbiddenEvents('provisioning:read, events:write, graphql:any-operation'),
      );
    });

    it('reads an array of strings, keeping only the scopes the gateway knows', async () => {
      const token = await idp.sign({
        scope: ['provisioning:read', 'openid', 7, 'events:write'] as never,
      });
      expect(await gateway.executeAs(bearer(token), EVENTS)).toEqual(
        forbiddenEvents('provisioning:read, events:write'),
      );
    });

    it('gives no scope for a token without the claim', async () => {
      const token = await idp.sign({});
      expect(await gateway.executeAs(bearer(token), EVENTS)).toEqual(forbiddenEvents('no scope'));
    });

    it('narrows events to the token’s user with events:read:self', async () => {
      const query = `{ events(first: 50) { nodes { id userId } } }`;
      const self = await gateway.executeAs<{ events: { nodes: Array<{ userId: string }> } }>(
        bearer(await idp.sign({ sub: userId, scope: 'events:read:self' })),
        query,
      );
      const filtered = await gateway.executeAs(
        bearer(await idp.sign({ scope: 'events:read' })),
        `{ events(first: 50, filter: { userId: "${userId}" }) { nodes { id userId } } }`,
      );

      expect(self).toEqual(filtered);
      expect(self.data?.events.nodes.length).toBeGreaterThanOrEqual(3);
      expect(new Set(self.data?.events.nodes.map((node) => node.userId))).toEqual(
        new Set([userId]),
      );
    });
  });
});

describe('JWT claims read from configured claim names (AUTH_JWT_SCOPES_CLAIM=scp, AUTH_JWT_USER_ID_CLAIM=onelogin_user_id)', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        AUTH_JWT_SCOPES_CLAIM: 'scp',
        AUTH_JWT_USER_ID_CLAIM: 'onelogin_user_id',
      }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });

  it('takes the scopes from scp and ignores scope', async () => {
    const token = await idp.sign({
      scope: 'events:read',
      claims: { scp: ['provisioning:read'] },
    });
    expect(await gateway.executeAs(bearer(token), '{ events(first: 1) { nodes { id } } }')).toEqual(
      {
        data: null,
        extensions: cost(1, 0),
        errors: [
          {
            message:
              '`events` needs the scope events:read or events:read:self; this caller has provisioning:read.',
            locations: [{ line: 1, column: 3 }],
            path: ['events'],
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      },
    );
  });

  it.each([
    ['a number', 35797379],
    ['a string', '35797379'],
  ])('takes the user id from onelogin_user_id (%s), not from sub', async (_kind, value) => {
    const token = await idp.sign({
      sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
      claims: { scp: ['events:read'], onelogin_user_id: value },
    });
    expect(await gateway.executeAs(bearer(token), '{ me { id } }')).toEqual({
      data: { me: { id: '35797379' } },
    });
  });

  it.each([
    ['absent', {}],
    ['not a OneLogin id', { onelogin_user_id: 'abc' }],
  ])('has no user when onelogin_user_id is %s, even with a numeric sub', async (_kind, claims) => {
    const token = await idp.sign({ sub: '1001', claims: { scp: ['events:read'], ...claims } });
    expect(await gateway.executeAs(bearer(token), '{ me { id } }')).toEqual({ data: { me: null } });
  });
});

describe('the JWKS', () => {
  describe('caching', () => {
    let idp: TestIdentityProvider;
    let gateway: TestGateway;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      gateway = await startTestGateway({ simulator, env: idp.env({ NODE_ENV: 'production' }) });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
    });

    it('is fetched once at start and serves every later token from the cache', async () => {
      expect(idp.jwksRequests()).toBe(1);
      const tokens = await Promise.all(
        ['1001', '1002', '1003', '1004'].map((sub) => idp.sign({ sub, scope: 'events:read' })),
      );
      for (const token of [...tokens, ...tokens]) {
        const answer = await ask(gateway, bearer(token), '{ me { id } }');
        expect(answer).toEqual(ok({ me: { id: claimsOf(token).sub } }));
      }
      expect(
        await Promise.all(tokens.map((token) => ask(gateway, bearer(token), '{ me { id } }'))),
      ).toEqual(tokens.map((token) => ok({ me: { id: claimsOf(token).sub } })));
      expect(idp.jwksRequests()).toBe(1);
    });
  });

  describe('key rotation (AUTH_JWKS_COOLDOWN_SECONDS=60)', () => {
    const clock = createTestClock();
    let idp: TestIdentityProvider;
    let gateway: TestGateway;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      gateway = await startTestGateway({
        simulator,
        clock,
        env: idp.env({ NODE_ENV: 'production', AUTH_JWKS_COOLDOWN_SECONDS: '60' }),
      });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
    });

    const me = async (token: string) => {
      const answer = await ask(gateway, bearer(token), '{ me { id } }');
      return answer;
    };

    it('accepts a token signed with a newly published key, fetching the JWKS again for its kid', async () => {
      expect(idp.jwksRequests()).toBe(1);
      const next = await idp.newKey('ES256');
      idp.publish([idp.key, next]);
      clock.advance(60_000);

      expect(await me(await idp.sign({ key: next, sub: '2002', now: clock() }))).toEqual(
        ok({ me: { id: '2002' } }),
      );
      expect(idp.jwksRequests()).toBe(2);
      expect(await me(await idp.sign({ sub: '2001', now: clock() }))).toEqual(
        ok({ me: { id: '2001' } }),
      );
      expect(idp.jwksRequests()).toBe(2);
    });

    it('fetches at most once per cooldown for a burst of unknown kids', async () => {
      const unknown = await Promise.all(Array.from({ length: 8 }, () => idp.newKey()));
      const sign = () => Promise.all(unknown.map((key) => idp.sign({ key, now: clock() })));

      // Within the cooldown of the previous fetch: no fetch at all.
      const early = await Promise.all((await sign()).map(me));
      expect(early).toEqual(unknown.map(() => unauthenticated(UNKNOWN_KID, 'invalid_token')));
      expect(idp.jwksRequests()).toBe(2);

      // After it: one fetch for the whole burst, then none until the next cooldown.
      clock.advance(60_000);
      const burst = await Promise.all((await sign()).map(me));
      expect(burst).toEqual(unknown.map(() => unauthenticated(UNKNOWN_KID, 'invalid_token')));
      expect(idp.jwksRequests()).toBe(3);
      for (const token of await sign()) {
        expect(await me(token)).toEqual(unauthenticated(UNKNOWN_KID, 'invalid_token'));
      }
      expect(idp.jwksRequests()).toBe(3);

      clock.advance(59_000);
      await Promise.all((await sign()).map(me));
      expect(idp.jwksRequests()).toBe(3);
      clock.advance(1_000);
      await Promise.all((await sign()).map(me));
      expect(idp.jwksRequests()).toBe(4);
    });
  });

  describe('key rotation found by the periodic refresh (AUTH_JWKS_CACHE_SECONDS=600)', () => {
    const clock = createTestClock();
    let idp: TestIdentityProvider;
    let gateway: TestGateway;
    let next: TestSigningKey;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      next = await idp.newKey();
      gateway = await startTestGateway({
        simulator,
        clock,
        env: idp.env({ NODE_ENV: 'production' }),
      });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
    });

    const me = async (token: string) => {
      const answer = await ask(gateway, bearer(token), '{ me { id } }');
      return answer;
    };

    it('accepts a token of a key published since the last fetch, also when its request finds the set due for a refresh', async () => {
      idp.publish([idp.key, next]);
      clock.advance(601_000); // the last fetch (at start) is older than the cache and the cooldown

      expect(await me(await idp.sign({ key: next, sub: '4001', now: clock() }))).toEqual(
        ok({ me: { id: '4001' } }),
      );
    });

    it('stops new tokens of a key removed from the set once the set is fetched again, and keeps tokens verified before until they expire', async () => {
      await eventually(async () => (idp.jwksRequests() === 2 ? true : undefined));
      const verified = await idp.sign({ sub: '4002', now: clock() });
      expect(await me(verified)).toEqual(ok({ me: { id: '4002' } }));

      idp.publish([next]);
      // Within the cache, the keys in hand serve.
      expect(await me(await idp.sign({ sub: '4003', now: clock() }))).toEqual(
        ok({ me: { id: '4003' } }),
      );
      // Past it, the request that finds the set stale is served with the keys in hand while
      // the set is fetched again in the background.
      clock.advance(601_000);
      expect(await me(await idp.sign({ sub: '4004', now: clock() }))).toEqual(
        ok({ me: { id: '4004' } }),
      );
      await eventually(async () => (idp.jwksRequests() === 3 ? true : undefined));

      expect(await me(await idp.sign({ sub: '4005', now: clock() }))).toEqual(
        unauthenticated(UNKNOWN_KID, 'invalid_token'),
      );
      expect(await me(verified)).toEqual(ok({ me: { id: '4002' } }));
      expect(await me(await idp.sign({ key: next, sub: '4006', now: clock() }))).toEqual(
        ok({ me: { id: '4006' } }),
      );
    });
  });

  describe('unreachable at start, with no key cached', () => {
    let idp: TestIdentityProvider;
    let gateway: TestGateway;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      idp.failing(true);
      gateway = await startTestGateway({ simulator, env: idp.env({ NODE_ENV: 'production' }) });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
    });

    it('starts anyway and says in the log that tokens cannot be checked', async () => {
      expect(logEntries(gateway)).toContainEqual({
        level: 40,
        service: SERVICE,
        jwks: 'the JWKS URL',
        reason: 'the JWKS URL answered HTTP 503',
        keysInHand: false,
        msg: 'could not load the JWKS: tokens cannot be checked',
      });
      const health = await fetch(new URL('/healthz', gateway.url));
      expect(health.status).toBe(200);
    });

    it('answers a token with 503 AUTH_UNAVAILABLE, and a request without credentials with 401', async () => {
      const answer = await ask(gateway, bearer(await idp.sign()));
      expect(answer).toEqual(AUTH_UNAVAILABLE);
      const anonymous = await ask(gateway, {});
      expect(anonymous).toEqual(
        unauthenticated(
          'This gateway needs credentials: send `Authorization: Bearer <access token>`.',
        ),
      );
    });

    it('asks the JWKS at most once a second while it is down, and lets requests pass once it answers again', async () => {
      const token = await idp.sign({ scope: 'events:read' });
      const before = idp.jwksRequests();
      for (let i = 0; i < 5; i += 1) {
        expect(await ask(gateway, bearer(token))).toEqual(AUTH_UNAVAILABLE);
      }
      expect(idp.jwksRequests() - before).toBeLessThanOrEqual(1);
      idp.failing(false);
      const answer = await eventually(async () => {
        const reply = await ask(gateway, bearer(token));
        return reply.status === 200 ? reply : undefined;
      });
      expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(1, 1)));
    });
  });

  describe('failing after its keys were cached (stale-if-error)', () => {
    const clock = createTestClock();
    let idp: TestIdentityProvider;
    let gateway: TestGateway;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      gateway = await startTestGateway({
        simulator,
        clock,
        env: idp.env({ NODE_ENV: 'production' }),
      });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
    });

    it('keeps accepting new tokens of known keys when a refresh fails, and logs the failure', async () => {
      expect(idp.jwksRequests()).toBe(1);
      idp.failing(true);
      clock.advance(601_000); // past AUTH_JWKS_CACHE_SECONDS (600): a background refresh is due

      const first = await ask(
        gateway,
        bearer(await idp.sign({ sub: '3001', now: clock() })),
        '{ me { id } }',
      );
      expect(first).toEqual(ok({ me: { id: '3001' } }));
      await eventually(async () =>
        logEntries(gateway).some((entry) => entry.msg?.toString().startsWith('could not refresh'))
          ? true
          : undefined,
      );
      expect(idp.jwksRequests()).toBe(2);
      expect(logEntries(gateway)).toContainEqual({
        level: 40,
        service: SERVICE,
        jwks: 'the JWKS URL',
        reason: 'the JWKS URL answered HTTP 503',
        keysInHand: true,
        msg: 'could not refresh the JWKS; the keys in hand keep serving',
      });

      const second = await ask(
        gateway,
        bearer(await idp.sign({ sub: '3002', now: clock() })),
        '{ me { id } }',
      );
      expect(second).toEqual(ok({ me: { id: '3002' } }));
    });

    it('refuses an unknown kid with 401, not 503, while the JWKS fails', async () => {
      clock.advance(31_000);
      const token = await idp.sign({ key: await idp.newKey(), now: clock() });
      const answer = await ask(gateway, bearer(token));
      expect(answer).toEqual(unauthenticated(UNKNOWN_KID, 'invalid_token'));
    });
  });

  describe.each([
    ['file:<absolute path>', (file: string) => `file:${file}`],
    ['a file:// URL', (file: string) => pathToFileURL(file).href],
  ])('read from disk (%s)', (_form, jwksURL) => {
    let idp: TestIdentityProvider;
    let gateway: TestGateway;
    let dir: string;

    beforeAll(async () => {
      idp = await startTestIdentityProvider();
      dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-jwks-'));
      const file = path.join(dir, 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [idp.key.publicJwk] }));
      gateway = await startTestGateway({
        simulator,
        env: idp.env({ NODE_ENV: 'production', AUTH_JWT_JWKS_URL: jwksURL(file) }),
      });
    });
    afterAll(async () => {
      await gateway.stop();
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('accepts tokens of its keys without any HTTP request, and refuses others', async () => {
      const answer = await ask(gateway, bearer(await idp.sign({ scope: 'events:read' })));
      expect(answer).toEqual(ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(1, 1)));
      const other = await ask(
        gateway,
        bearer(await idp.sign({ key: { ...(await idp.newKey()), kid: idp.key.kid } })),
      );
      expect(other).toEqual(unauthenticated(BAD_SIGNATURE, 'invalid_token'));
      expect(idp.jwksRequests()).toBe(0);
    });
  });
});

/** An API key as `npm run api-key` makes it, with its file entry. */
function makeApiKey(name: string, scopes: string[], keyUserId?: string) {
  const key = `olgw_${randomBytes(32).toString('base64url')}`;
  return {
    key,
    entry: {
      name,
      sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
      scopes,
      ...(keyUserId ? { userId: keyUserId } : {}),
    },
  };
}

describe('API keys (AUTH_MODE=api-key)', () => {
  let gateway: TestGateway;
  let dir: string;
  let file: string;
  const exporter = makeApiKey('siem-exporter', ['events:read']);
  const activity = makeApiKey('activity-page', ['events:read:self'], '35797379');
  const doomed = makeApiKey('old-script', ['events:read'], '42');
  const missing =
    'This gateway needs credentials: send `Authorization: Bearer <API key>` or `x-api-key: <key>`.';
  const notValid = 'The API key is not valid (unknown or revoked).';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-keys-'));
    file = path.join(dir, 'api-keys.json');
    writeFileSync(file, JSON.stringify({ keys: [exporter.entry, activity.entry, doomed.entry] }));
    gateway = await startTestGateway({
      simulator,
      env: { NODE_ENV: 'production', AUTH_MODE: 'api-key', AUTH_API_KEYS_FILE: file },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says at start-up that callers must authenticate, and how many keys it holds', () => {
    expect(logEntries(gateway)).toContainEqual({
      level: 30,
      service: SERVICE,
      methods: ['api-key'],
      anonymous: 'refused',
      apiKeys: 3,
      msg: 'Callers must authenticate: api-key',
    });
  });

  it.each([
    // The first request of this gateway loads the catalogue.
    ['Authorization: Bearer', (key: string) => bearer(key), cost(1, 1)],
    ['x-api-key', (key: string) => ({ 'x-api-key': key }), cost(0, 0)],
  ])('accepts a key sent as %s', async (_how, headers, firstCost) => {
    const asExporter = await ask(gateway, headers(exporter.key));
    expect(asExporter).toEqual(ok({ me: null, eventType: EVENT_TYPE_5 }, firstCost));
    const asActivity = await ask(gateway, headers(activity.key));
    expect(asActivity).toEqual(ok({ me: { id: '35797379' }, eventType: EVENT_TYPE_5 }, cost(0, 0)));
  });

  it.each([
    ['Authorization: Bearer', (key: string) => bearer(key)],
    ['x-api-key', (key: string) => ({ 'x-api-key': key })],
  ])('refuses an unknown key sent as %s, never repeating it', async (_how, headers) => {
    const unknown = makeApiKey('nobody', ['events:read']).key;
    const { answer, text } = await send(gateway, headers(unknown));
    expect(answer).toEqual(unauthenticated(notValid, 'invalid_token'));
    expect(text).not.toContain(unknown);
    expect(gateway.logs.join('')).not.toContain(unknown);
  });

  it('refuses a key that differs from a valid one in its last character', async () => {
    const near = `${exporter.key.slice(0, -1)}${exporter.key.endsWith('A') ? 'B' : 'A'}`;
    const answer = await ask(gateway, bearer(near));
    expect(answer).toEqual(unauthenticated(notValid, 'invalid_token'));
  });

  it('refuses a request that sends both headers, even with valid keys', async () => {
    const answer = await ask(gateway, {
      ...bearer(exporter.key),
      'x-api-key': exporter.key,
    });
    expect(answer).toEqual(
      unauthenticated(
        'Send one credential: Authorization or x-api-key, not both.',
        'invalid_request',
      ),
    );
  });

  it('refuses a request without credentials', async () => {
    const answer = await ask(gateway, {});
    expect(answer).toEqual(unauthenticated(missing));
  });

  it('stops accepting a key once the file no longer holds it, keeping the others', async () => {
    const before = await ask(gateway, { 'x-api-key': doomed.key });
    expect(before).toEqual(ok({ me: { id: '42' }, eventType: EVENT_TYPE_5 }, cost(0, 0)));

    writeFileSync(file, JSON.stringify({ keys: [exporter.entry, activity.entry] }));

    const after = await eventually(async () => {
      const answer = await ask(gateway, { 'x-api-key': doomed.key });
      return answer.status === 200 ? undefined : answer;
    });
    expect(after).toEqual(unauthenticated(notValid, 'invalid_token'));
    expect(logEntries(gateway)).toContainEqual({
      level: 30,
      service: SERVICE,
      keys: 2,
      msg: 'API keys reloaded',
    });
    const kept = await ask(gateway, bearer(exporter.key));
    expect(kept).toEqual(ok({ me: null, eventType: EVENT_TYPE_5 }, cost(0, 0)));
  });
});

describe('an API keys file that does not read', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-keys-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the gateway from starting when it is missing, saying what to check', async () => {
    await expect(
      startTestGateway({
        simulator,
        env: {
          NODE_ENV: 'production',
          AUTH_MODE: 'api-key',
          AUTH_API_KEYS_FILE: path.join(dir, 'missing.json'),
        },
      }),
    ).rejects.toThrow(new Error('AUTH_API_KEYS_FILE cannot be read (ENOENT): check the path.'));
  });

  it('keeps the keys read before when it is rewritten with something that does not read', async () => {
    const file = path.join(dir, 'api-keys.json');
    const exporter = makeApiKey('siem-exporter', ['events:read']);
    writeFileSync(file, JSON.stringify({ keys: [exporter.entry] }));
    const gateway = await startTestGateway({
      simulator,
      env: { NODE_ENV: 'production', AUTH_MODE: 'api-key', AUTH_API_KEYS_FILE: file },
    });
    try {
      writeFileSync(file, '{"keys": [');
      const logged = await eventually(async () =>
        logEntries(gateway).find((entry) => entry.level === 50),
      );
      expect(logged).toEqual({
        level: 50,
        service: SERVICE,
        reason: 'AUTH_API_KEYS_FILE is not valid JSON.',
        msg: 'AUTH_API_KEYS_FILE changed but does not read; the keys read before stay in force',
      });
      const answer = await ask(gateway, { 'x-api-key': exporter.key });
      expect(answer).toEqual(ok({ me: null, eventType: EVENT_TYPE_5 }, cost(1, 1)));
    } finally {
      await gateway.stop();
    }
  });
});

describe('JWTs and API keys together (AUTH_MODE=jwt,api-key)', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let dir: string;
  const exporter = makeApiKey('siem-exporter', ['events:read'], '35797379');

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-keys-'));
    const file = path.join(dir, 'api-keys.json');
    writeFileSync(file, JSON.stringify({ keys: [exporter.entry] }));
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        AUTH_MODE: 'jwt,api-key',
        AUTH_API_KEYS_FILE: file,
      }),
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a JWT, and an API key as a bearer or as x-api-key', async () => {
    const jwt = await ask(gateway, bearer(await idp.sign({ scope: 'events:read' })));
    const keyAsBearer = await ask(gateway, bearer(exporter.key));
    const keyAsHeader = await ask(gateway, { 'x-api-key': exporter.key });

    expect([jwt, keyAsBearer, keyAsHeader]).toEqual([
      ok({ me: { id: '1001' }, eventType: EVENT_TYPE_5 }, cost(1, 1)),
      ok({ me: { id: '35797379' }, eventType: EVENT_TYPE_5 }, cost(0, 0)),
      ok({ me: { id: '35797379' }, eventType: EVENT_TYPE_5 }, cost(0, 0)),
    ]);
  });

  it('checks a JWT-shaped bearer as a JWT, and anything else as an API key', async () => {
    const jwt = await ask(gateway, bearer(await idp.sign({ expiresIn: null })));
    expect(jwt).toEqual(
      unauthenticated(
        'The token has no valid `exp` claim: the gateway only accepts tokens that expire.',
        'invalid_token',
      ),
    );
    const key = await ask(gateway, bearer('olgw_unknown'));
    expect(key).toEqual(
      unauthenticated('The API key is not valid (unknown or revoked).', 'invalid_token'),
    );
  });

  it('names both credentials when none is sent', async () => {
    const answer = await ask(gateway, {});
    expect(answer).toEqual(
      unauthenticated(
        'This gateway needs credentials: send `Authorization: Bearer <access token or API key>` or `x-api-key: <key>`.',
      ),
    );
  });
});

describe('no authentication (AUTH_MODE=none)', () => {
  let gateway: TestGateway;
  const EVERY_SCOPE = `{
    me { id }
    eventType(id: "5") { id name }
    events(first: 1) { nodes { id } }
    failedProvisionings(startDate: "2026-06-01T00:00:00Z", stopDate: "2026-06-15T00:00:00Z", first: 1) { totalCount }
  }`;

  beforeAll(async () => {
    gateway = await startTestGateway({
      simulator,
      env: { NODE_ENV: 'production', AUTH_MODE: 'none' },
    });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('warns at every start that nobody is checked', () => {
    expect(logEntries(gateway)).toContainEqual({
      level: 40,
      service: SERVICE,
      methods: [],
      anonymous: 'trusted',
      msg:
        'AUTH_MODE=none: callers are not authenticated and every request has every scope. ' +
        'Only run this way behind a router that authenticates, where nothing else can reach the gateway.',
    });
  });

  it('gives an anonymous caller every scope', async () => {
    const newest = [...simulator.data.events()].sort(
      (a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id,
    )[0];
    const failures = simulator.data
      .failedProvisionings()
      .filter(
        (record) =>
          record.created_at >= '2026-06-01T00:00:00.000Z' &&
          record.created_at <= '2026-06-15T00:00:00.000Z',
      );
    expect(failures.length).toBeGreaterThan(0);

    expect(await ask(gateway, {}, EVERY_SCOPE)).toEqual(
      ok(
        {
          me: null,
          eventType: EVENT_TYPE_5,
          events: { nodes: [{ id: String(newest?.id) }] },
          failedProvisionings: { totalCount: failures.length },
        },
        // The catalogue, a page of events and a failed-provisionings range.
        cost(3, 3),
      ),
    );
    const write = await gateway.executeAs(
      {},
      'mutation { createEvent(input: { eventTypeId: "5", customMessage: "hello" }) { event { eventTypeId customMessage } } }',
    );
    expect(write).toEqual({
      data: { createEvent: { event: { eventTypeId: '5', customMessage: 'hello' } } },
      extensions: cost(1, 1),
    });
  });

  it.each([
    ['a junk bearer', { authorization: 'Bearer junk' }],
    ['a Basic header', { authorization: 'Basic dXNlcjpwYXNzd29yZA==' }],
    ['an x-api-key', { 'x-api-key': 'olgw_unknown' }],
    ['both headers', { authorization: 'Bearer junk', 'x-api-key': 'olgw_unknown' }],
  ])('does not read credentials: %s is answered as anonymous', async (_what, headers) => {
    const anonymous = await ask(gateway, {}, '{ me { id } eventType(id: "5") { id name } }');
    const withCredentials = await ask(
      gateway,
      headers,
      '{ me { id } eventType(id: "5") { id name } }',
    );
    expect(withCredentials).toEqual(anonymous);
    expect(withCredentials).toEqual(ok({ me: null, eventType: EVENT_TYPE_5 }, cost(0, 0)));
  });
});
