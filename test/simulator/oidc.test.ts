import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  errors as joseErrors,
} from 'jose';
import {
  DEMO_OIDC_AUDIENCE,
  DEMO_OIDC_ISSUER,
  demoJwks,
  signDemoToken,
  startSimulator,
} from '../../src/simulator';
import type { SimulatorHandle } from '../../src/simulator';
import { FIXED_NOW, call } from './helpers/simulatorClient';
import { createTestClock } from '../helpers/testClock';

const ROOT = path.resolve(__dirname, '../..');
const TOKEN_CLI = path.join(ROOT, 'scripts/token.ts');
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const JTI = /^[A-Za-z0-9_-]{21}$/;

function expectPublicOnly(jwks: { keys: Array<Record<string, unknown>> }): void {
  expect(jwks.keys).toHaveLength(1);
  const [key] = jwks.keys;
  expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
  expect(key).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
  // A 2048-bit modulus is 256 bytes.
  expect(Buffer.from(String(key?.n), 'base64url')).toHaveLength(256);
}

/** A user id of the simulated directory: every event's user is one. */
function directoryUser(simulator: SimulatorHandle): string {
  const event = simulator.data.events().find((record) => record.user_id !== null);
  if (!event) throw new Error('no event with a user');
  return String(event.user_id);
}

describe('the simulator as a OneLogin OIDC issuer', () => {
  const clock = createTestClock(FIXED_NOW);
  let simulator: SimulatorHandle;
  let userId: string;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 200, clock });
    userId = directoryUser(simulator);
  });
  afterAll(() => simulator.close());

  const demoToken = (body: unknown) =>
    call(simulator, '/oidc/2/demo-token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('exposes its issuer and JWKS URL on the handle', () => {
    expect(simulator.oidcIssuer).toBe(DEMO_OIDC_ISSUER);
    expect(DEMO_OIDC_ISSUER).toBe('https://demo.onelogin.com/oidc/2');
    expect(DEMO_OIDC_AUDIENCE).toBe('onelogin-events-gateway');
    expect(simulator.jwksURL).toBe(`${simulator.url}/oidc/2/certs`);
  });

  it('serves a discovery document like OneLogin’s', async () => {
    const answer = await call(simulator, '/oidc/2/.well-known/openid-configuration');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(answer.body).toEqual({
      issuer: DEMO_OIDC_ISSUER,
      authorization_endpoint: `${simulator.url}/oidc/2/auth`,
      token_endpoint: `${simulator.url}/oidc/2/token`,
      jwks_uri: simulator.jwksURL,
      response_types_supported: ['code', 'id_token token', 'id_token'],
      response_modes_supported: ['form_post', 'fragment', 'query'],
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'name', 'profile', 'groups', 'email', 'phone'],
      claims_supported: expect.arrayContaining(['iss', 'sub', 'email', 'groups']),
      acr_values_supported: ['onelogin:nist:level:1:re-auth'],
      claims_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    });
  });

  it('serves the public demo key, and only its public part, at jwks_uri', async () => {
    const discovery = await call(simulator, '/oidc/2/.well-known/openid-configuration');
    const answer = await call(
      simulator,
      new URL((discovery.body as { jwks_uri: string }).jwks_uri).pathname,
    );

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    expect(answer.body).toEqual(demoJwks());
    expectPublicOnly(answer.body as { keys: Array<Record<string, unknown>> });
    expectPublicOnly(demoJwks() as unknown as { keys: Array<Record<string, unknown>> });
  });

  it('issues a demo token that verifies against the served JWKS with issuer and audience', async () => {
    const answer = await demoToken({
      user_id: userId,
      scopes: ['events:read:self', 'provisioning:read'],
      expires_in: 600,
    });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = answer.body as { access_token: string };
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 600,
    });

    const { payload, protectedHeader } = await jwtVerify(
      body.access_token,
      createRemoteJWKSet(new URL(simulator.jwksURL)),
      { issuer: DEMO_OIDC_ISSUER, audience: DEMO_OIDC_AUDIENCE, currentDate: new Date(clock()) },
    );
    const issuedAt = Math.floor(clock() / 1000);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: demoJwks().keys[0]?.kid, typ: 'JWT' });
    expect(payload).toEqual({
      iss: DEMO_OIDC_ISSUER,
      sub: userId,
      aud: [DEMO_OIDC_AUDIENCE],
      iat: issuedAt,
      exp: issuedAt + 600,
      jti: expect.stringMatching(JTI),
      scope: 'events:read:self provisioning:read',
    });
  });

  it('stamps tokens with the simulator clock, defaults to an hour, and takes a numeric id', async () => {
    clock.advance(90_000);
    const answer = await demoToken({ user_id: Number(userId), scopes: [] });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const { payload } = await jwtVerify(
      (answer.body as { access_token: string }).access_token,
      createLocalJWKSet(demoJwks()),
      { issuer: DEMO_OIDC_ISSUER, audience: DEMO_OIDC_AUDIENCE, currentDate: new Date(clock()) },
    );
    const issuedAt = Math.floor(clock() / 1000);
    expect(payload).toEqual({
      iss: DEMO_OIDC_ISSUER,
      sub: userId,
      aud: [DEMO_OIDC_AUDIENCE],
      iat: issuedAt,
      exp: issuedAt + 3600,
      jti: expect.stringMatching(JTI),
      scope: '',
    });
  });

  it('gives every token its own jti', async () => {
    const tokens = await Promise.all(
      [1, 2, 3].map(() => demoToken({ user_id: userId, scopes: ['events:read'] })),
    );
    const ids = await Promise.all(
      tokens.map(async (answer) => {
        const { payload } = await jwtVerify(
          (answer.body as { access_token: string }).access_token,
          createLocalJWKSet(demoJwks()),
          { currentDate: new Date(clock()) },
        );
        return payload.jti;
      }),
    );
    expect(new Set(ids).size).toBe(3);
  });

  it.each<[string, unknown, string, string]>([
    ['a body that is not JSON', '{"user_id":', 'invalid_request', 'the body must be a JSON object'],
    ['a JSON array', '[]', 'invalid_request', 'the body must be a JSON object'],
    ['no user id', { scopes: ['events:read'] }, 'invalid_request', 'user_id is required'],
    ['an empty user id', { user_id: '', scopes: [] }, 'invalid_request', 'user_id is required'],
    [
      'a user who is not in the directory',
      { user_id: '1', scopes: ['events:read'] },
      'invalid_request',
      'user_id "1" is not a user of the simulated directory',
    ],
    [
      'a user id that is neither string nor integer',
      { user_id: { id: 1 }, scopes: [] },
      'invalid_request',
      'user_id {"id":1} is not a user of the simulated directory',
    ],
    ['no scopes', { user_id: 'USER' }, 'invalid_scope', 'scopes must be an array of strings'],
    [
      'scopes as one string',
      { user_id: 'USER', scopes: 'events:read' },
      'invalid_scope',
      'scopes must be an array of strings',
    ],
    [
      'a scope that is not a string',
      { user_id: 'USER', scopes: ['events:read', 7] },
      'invalid_scope',
      'scopes must be an array of strings',
    ],
    [
      'a scope with a space',
      { user_id: 'USER', scopes: ['events:read events:write'] },
      'invalid_scope',
      'every scope must be a non-empty string without spaces, quotes or backslashes, not "events:read events:write"',
    ],
    [
      'a lifetime that is not a positive integer',
      { user_id: 'USER', scopes: [], expires_in: 1.5 },
      'invalid_request',
      'expires_in must be a positive integer of seconds',
    ],
    [
      'a lifetime over a year',
      { user_id: 'USER', scopes: [], expires_in: 31_536_001 },
      'invalid_request',
      'expires_in must be an integer from 1 to 31536000',
    ],
  ])('answers 400 to %s', async (_name, body, error, description) => {
    const withUser =
      typeof body === 'object' &&
      body !== null &&
      (body as { user_id?: unknown }).user_id === 'USER'
        ? { ...body, user_id: userId }
        : body;
    const answer = await demoToken(withUser);

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error, error_description: description });
  });

  it('answers 404 under /oidc/2 where it serves nothing, 405 to the wrong method', async () => {
    const missing = await call(simulator, '/oidc/2/token', { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: 'not_found',
      error_description: 'the simulator serves no OIDC endpoint at /oidc/2/token',
    });

    const wrongMethod = await call(simulator, '/oidc/2/certs', { method: 'POST' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(wrongMethod.body).toEqual({
      error: 'invalid_request',
      error_description: '/certs accepts GET only',
    });
  });

  it('keeps the identity provider out of the OneLogin API counters, faults and budget', async () => {
    simulator.counters.reset();
    simulator.rateLimit.setRemaining(0);
    simulator.faults.set({ errorRate: 1 });
    try {
      expect((await call(simulator, '/oidc/2/certs')).status).toBe(200);
      expect((await call(simulator, '/oidc/2/.well-known/openid-configuration/')).status).toBe(200);
      expect((await demoToken({ user_id: userId, scopes: [] })).status).toBe(200);
      expect((await demoToken({ scopes: [] })).status).toBe(400);
      expect(simulator.counters.snapshot()).toEqual({ total: 0, byRoute: {} });
    } finally {
      simulator.faults.clear();
      simulator.rateLimit.reset();
    }
  });
});

describe('startSimulator({ oidcIssuer })', () => {
  it('issues tokens and discovery for another issuer', async () => {
    const issuer = 'https://acme.onelogin.com/oidc/2';
    const simulator = await startSimulator({ eventCount: 50, oidcIssuer: issuer });
    try {
      expect(simulator.oidcIssuer).toBe(issuer);
      const discovery = await call(simulator, '/oidc/2/.well-known/openid-configuration');
      expect(discovery.body).toMatchObject({ issuer, jwks_uri: simulator.jwksURL });
      const answer = await call(simulator, '/oidc/2/demo-token', {
        method: 'POST',
        body: JSON.stringify({ user_id: directoryUser(simulator), scopes: ['events:read'] }),
      });
      const { payload } = await jwtVerify(
        (answer.body as { access_token: string }).access_token,
        createRemoteJWKSet(new URL(simulator.jwksURL)),
        { issuer, audience: DEMO_OIDC_AUDIENCE },
      );
      expect(payload.iss).toBe(issuer);
    } finally {
      await simulator.close();
    }
  });

  it('refuses an issuer that is not an http(s) URL', async () => {
    await expect(startSimulator({ oidcIssuer: 'demo.onelogin.com' })).rejects.toThrow(
      'oidcIssuer must be an http(s) URL without query or fragment, not demo.onelogin.com',
    );
  });
});

describe('signDemoToken', () => {
  const now = Date.parse('2026-06-15T12:00:00.000Z');

  it('signs the documented claim set with the demo key', async () => {
    const token = await signDemoToken({
      userId: '35666371',
      scopes: ['events:read', 'events:write', 'events:read'],
      now,
      expiresInSeconds: 900,
    });

    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'RS256',
      kid: demoJwks().keys[0]?.kid,
      typ: 'JWT',
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(demoJwks()), {
      issuer: DEMO_OIDC_ISSUER,
      audience: DEMO_OIDC_AUDIENCE,
      currentDate: new Date(now),
    });
    expect(payload).toEqual({
      iss: DEMO_OIDC_ISSUER,
      sub: '35666371',
      aud: [DEMO_OIDC_AUDIENCE],
      iat: now / 1000,
      exp: now / 1000 + 900,
      jti: expect.stringMatching(JTI),
      scope: 'events:read events:write',
    });
  });

  it('signs tokens that expire', async () => {
    const token = await signDemoToken({ userId: '1', scopes: [], now, expiresInSeconds: 60 });

    await expect(
      jwtVerify(token, createLocalJWKSet(demoJwks()), { currentDate: new Date(now + 61_000) }),
    ).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });

  it.each<[string, Parameters<typeof signDemoToken>[0], string]>([
    ['an empty user', { userId: '', scopes: [] }, 'userId must be a non-empty string'],
    ['a scope with a space', { userId: '1', scopes: ['a b'] }, 'every scope must be'],
    ['a zero lifetime', { userId: '1', scopes: [], expiresInSeconds: 0 }, 'expiresInSeconds'],
    ['a bad clock', { userId: '1', scopes: [], now: Number.NaN }, 'now must be'],
    ['an empty issuer', { userId: '1', scopes: [], issuer: '' }, 'issuer must be'],
  ])('refuses %s', async (_name, options, message) => {
    await expect(signDemoToken(options)).rejects.toThrow(message);
  });
});

/** `node --import tsx scripts/token.ts …`, as `tsx scripts/token.ts …` runs it. */
function runTokenCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', TOKEN_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, DEMO_SEED: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('scripts/token.ts', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    // The demo simulator: seed 1 (DEMO_SEED's default).
    simulator = await startSimulator({ eventCount: 50 });
  });
  afterAll(() => simulator.close());

  it('prints a token signed with the demo key for a user and scopes', async () => {
    const userId = directoryUser(simulator);
    const before = Math.floor(Date.now() / 1000);
    const run = await runTokenCli([
      '--user',
      userId,
      '--scopes',
      'events:read:self,provisioning:read',
      '--expires-in',
      '120',
    ]);
    const after = Math.floor(Date.now() / 1000);

    expect(run).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+\n$/),
      stderr: '',
    });
    const token = run.stdout.trim();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(demoJwks()), {
      issuer: DEMO_OIDC_ISSUER,
      audience: DEMO_OIDC_AUDIENCE,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: demoJwks().keys[0]?.kid, typ: 'JWT' });
    expect(payload).toEqual({
      iss: DEMO_OIDC_ISSUER,
      sub: userId,
      aud: [DEMO_OIDC_AUDIENCE],
      iat: expect.any(Number),
      exp: (payload.iat ?? 0) + 120,
      jti: expect.stringMatching(JTI),
      scope: 'events:read:self provisioning:read',
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
  });

  it('lists demo users the demo simulator knows (with --list-users and without --user)', async () => {
    const listed = await runTokenCli(['--list-users']);
    const bare = await runTokenCli([]);

    expect(listed.code).toBe(0);
    expect(bare).toEqual(listed);
    const ids = [...listed.stdout.matchAll(/^ {2}(\d+) +(\S.*)$/gm)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(listed.stdout).toMatch(
      /^ {2}\d+ +[A-Z][a-z]+ [A-Z]\S* <[^>]+@lumenfield\.example\.com>/m,
    );
    // The same directory as the simulator's: it gives each of them a token.
    for (const id of ids) {
      const answer = await call(simulator, '/oidc/2/demo-token', {
        method: 'POST',
        body: JSON.stringify({ user_id: id, scopes: ['events:read:self'] }),
      });
      expect(answer.status).toBe(200);
    }
  });

  it('builds the directory of DEMO_SEED', async () => {
    const seedOne = await runTokenCli(['--list-users']);
    const seedSeven = await runTokenCli(['--list-users'], { DEMO_SEED: '7' });

    expect(seedSeven.code).toBe(0);
    expect(seedSeven.stdout).toContain('seed 7');
    expect(seedSeven.stdout).not.toEqual(seedOne.stdout);
  });

  it('--help explains the scopes and the Authorization header', async () => {
    const run = await runTokenCli(['--help']);

    expect(run.code).toBe(0);
    for (const text of [
      '--user <id>',
      '--scopes <list>',
      '--expires-in <seconds>',
      '--list-users',
      'events:read ',
      'events:read:self',
      'provisioning:read',
      'events:write',
      'Authorization: Bearer <token>',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown flag', ['--usr', '1'], /Unknown option '--usr'/],
    ['scopes without a user', ['--scopes', 'events:read'], /^--user is required/],
    ['a user without scopes', ['--user', '1'], /^--scopes is required/],
    [
      'an unknown scope',
      ['--user', '1', '--scopes', 'events:reed'],
      /^unknown scope "events:reed"/,
    ],
    [
      'a bad lifetime',
      ['--user', '1', '--scopes', 'events:read', '--expires-in', 'soon'],
      /^--expires-in must be a whole number from 1 to 31536000, not "soon"/,
    ],
    [
      'a user who is not in the directory',
      ['--user', '1', '--scopes', 'events:read'],
      /^user 1 is not in the demo directory \(seed 1\)/,
    ],
  ])('refuses %s on stderr with exit code 2', async (_name, args, message) => {
    const run = await runTokenCli(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
