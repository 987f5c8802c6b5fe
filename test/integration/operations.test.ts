import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  [key: string]: unknown;
}

const INFO = 30;
const WARN = 40;
const DEBUG = 20;

const base = (gateway: TestGateway) => gateway.url.replace('/graphql', '');

/** The gateway's log lines about one request id. */
function linesOf(gateway: TestGateway, requestId: string): LogLine[] {
  return gateway.logs
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.requestId === requestId);
}

/** Waits for the access-log line of `requestId` (written once the response is finished). */
async function accessLine(gateway: TestGateway, requestId: string): Promise<LogLine> {
  for (let i = 0; i < 100; i += 1) {
    const line = linesOf(gateway, requestId).find((candidate) => candidate.msg === 'request');
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no access-log line for ${requestId}`);
}

describe('access log and request ids', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let token: string;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ env: idp.env({ AUTH_MODE: 'jwt' }) });
    token = await idp.sign({ sub: 'soc-console', scope: 'events:read' });
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });
  beforeEach(() => gateway.simulator.faults.clear());

  const ask = (query: string, headers: Record<string, string> = {}) =>
    gateway.post({ query }, { authorization: `Bearer ${token}`, ...headers });

  it('writes one line per request: id, operation, type, duration, codes, OneLogin calls, caller', async () => {
    gateway.resetUpstreamCalls();
    const answer = await ask('query Recent { events(first: 2) { nodes { id } } }', {
      'x-request-id': 'req-7d2f9c',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toBe('req-7d2f9c');
    const line = await accessLine(gateway, 'req-7d2f9c');
    // Token requests are not the request's calls (UpstreamBudget counts what it is charged).
    const { ['POST /auth/oauth2/v2/token']: _token, ...charged } = gateway.upstreamCalls();
    const calls = Object.values(charged).reduce((a, b) => a + b, 0);
    expect(line).toEqual({
      level: INFO,
      time: expect.any(Number),
      service: 'onelogin-events-gateway',
      msg: 'request',
      requestId: 'req-7d2f9c',
      method: 'POST',
      path: '/graphql',
      status: 200,
      ms: expect.any(Number),
      operation: 'Recent',
      operationType: 'query',
      codes: [],
      upstreamCalls: calls,
      caller: 'soc-console',
    });
    expect(calls).toBeGreaterThan(0);
    expect(gateway.logs.join('\n')).not.toContain(token);
  });

  it.each([
    ['with a space', 'two words'],
    ['too long', 'x'.repeat(129)],
    ['with a newline (log injection)', 'abc\ninjected'],
  ])('replaces an x-request-id %s with a new UUID, and echoes that', async (_how, given) => {
    const answer = await gateway.post(
      { query: '{ __typename }' },
      // fetch refuses a header value with a newline; send it percent-free but still malformed.
      { authorization: `Bearer ${token}`, 'x-request-id': given.replace('\n', '\t') },
    );
    const id = answer.headers.get('x-request-id') as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await accessLine(gateway, id)).requestId).toBe(id);
  });

  it('logs a client mistake at info, with its code, and its error line carries the request id', async () => {
    await ask('query Bad { events(first: -1) { nodes { id } } }', {
      'x-request-id': 'bad-input-1',
    });
    const line = await accessLine(gateway, 'bad-input-1');
    expect(line).toMatchObject({
      level: INFO,
      operation: 'Bad',
      codes: ['BAD_USER_INPUT'],
      upstreamCalls: 0,
    });
    const errorLine = linesOf(gateway, 'bad-input-1').find((l) => l.msg !== 'request');
    expect(errorLine).toMatchObject({ level: DEBUG, code: 'BAD_USER_INPUT', operation: 'Bad' });
  });

  it('logs a refusal before Apollo (no token) at info with its code and no operation', async () => {
    const answer = await gateway.post(
      { query: 'query Recent { __typename }' },
      { 'x-request-id': 'no-token-1' },
    );
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-request-id')).toBe('no-token-1');
    expect(await accessLine(gateway, 'no-token-1')).toMatchObject({
      level: INFO,
      status: 401,
      codes: ['UNAUTHENTICATED'],
      operationType: 'unknown',
      upstreamCalls: 0,
    });
  });

  it('logs an upstream failure at warn, with the calls it cost', async () => {
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 503,
      route: 'GET /api/1/events',
      times: 3,
    });
    await ask('query Down { events(first: 2, filter: { eventTypeIds: ["9"] }) { nodes { id } } }', {
      'x-request-id': 'upstream-down-1',
    });
    expect(await accessLine(gateway, 'upstream-down-1')).toMatchObject({
      level: WARN,
      operation: 'Down',
      codes: ['UPSTREAM_UNAVAILABLE'],
      upstreamCalls: 3,
    });
  });

  it('logs health probes at debug, outside the GraphQL fields', async () => {
    await fetch(`${base(gateway)}/livez`, { headers: { 'x-request-id': 'probe-1' } });
    expect(await accessLine(gateway, 'probe-1')).toMatchObject({
      level: DEBUG,
      path: '/livez',
      status: 200,
    });
    expect(await accessLine(gateway, 'probe-1')).not.toHaveProperty('operation');
  });
});

describe('/livez and /readyz', () => {
  it('is ready with a token and the catalogue, and caches the answer for probes arriving together', async () => {
    const gateway = await startTestGateway();
    try {
      gateway.resetUpstreamCalls();
      const [ready, again] = await Promise.all([
        fetch(`${base(gateway)}/readyz`),
        fetch(`${base(gateway)}/readyz`),
      ]);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 200,
        body: { status: 'ready', checks: { oneLoginToken: 'ok', eventTypes: 'ok' } },
      });
      expect(again.status).toBe(200);
      // One token and one catalogue load for both probes (none at all once they are cached).
      expect(gateway.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events/types': 1,
      });
      const live = await fetch(`${base(gateway)}/livez`);
      expect({ status: live.status, body: await live.json() }).toEqual({
        status: 200,
        body: { status: 'ok' },
      });
    } finally {
      await gateway.stop();
    }
  });

  it('is not ready with a wrong client secret, says why, while /livez and /healthz still answer', async () => {
    const gateway = await startTestGateway({ env: { ONELOGIN_CLIENT_SECRET: 'not-the-secret' } });
    try {
      const ready = await fetch(`${base(gateway)}/readyz`);
      const body = (await ready.json()) as { status: string; reasons: string[] };
      expect(ready.status).toBe(503);
      expect(body.status).toBe('not ready');
      expect(body.reasons).toHaveLength(2);
      expect(body.reasons[0]).toMatch(
        /^cannot obtain a OneLogin access token: the token endpoint answered HTTP 401: ONELOGIN_CLIENT_ID\/ONELOGIN_CLIENT_SECRET are wrong/,
      );
      expect(JSON.stringify(body)).not.toContain('not-the-secret');
      expect((await fetch(`${base(gateway)}/livez`)).status).toBe(200);
      expect((await fetch(`${base(gateway)}/healthz`)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  it('is not ready while the event-type catalogue cannot be loaded', async () => {
    const gateway = await startTestGateway();
    try {
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events/types',
        times: 3,
      });
      const ready = await fetch(`${base(gateway)}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 503,
        body: {
          status: 'not ready',
          checks: { oneLoginToken: 'ok', eventTypes: expect.any(String) },
          reasons: [expect.stringMatching(/^cannot obtain the event-type catalogue: /)],
        },
      });
    } finally {
      await gateway.stop();
    }
  });

  it('is not ready while the configured Redis does not answer', async () => {
    const gateway = await startTestGateway({
      env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_WAIT_MS: '100' },
    });
    try {
      const ready = await fetch(`${base(gateway)}/readyz`);
      const body = (await ready.json()) as { checks: Record<string, string>; reasons: string[] };
      expect(ready.status).toBe(503);
      expect(body.checks).toMatchObject({ oneLoginToken: 'ok', eventTypes: 'ok' });
      expect(body.reasons).toEqual([
        expect.stringMatching(/^Redis does not answer|^redis did not answer within/),
      ]);
    } finally {
      await gateway.stop();
    }
  });

  it('turns 503 at once when draining, while requests are still served and asked to close their connection', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await fetch(`${base(gateway)}/readyz`)).status).toBe(200);
      gateway.gateway.drain();
      const ready = await fetch(`${base(gateway)}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 503,
        body: {
          status: 'draining',
          checks: {},
          reasons: [
            'the gateway is shutting down (SIGTERM): requests still in flight are finishing',
          ],
        },
      });
      const answer = await gateway.post({ query: '{ eventType(id: "5") { name } }' });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({
        data: { eventType: { name: 'USER_LOGGED_INTO_ONELOGIN' } },
      });
      expect(answer.headers.get('connection')).toBe('close');
    } finally {
      await gateway.stop();
    }
  });
});
