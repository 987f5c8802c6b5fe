import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { DEMO_CREDENTIALS } from '../../src/simulator';
import { startRecordingProxy, type RecordingProxy } from '../helpers/startRecordingProxy';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import { createTestClock } from '../helpers/testClock';

const LIST = `query { events(first: 2) { nodes { id } } }`;

describe('upstream failures and tokens', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { UPSTREAM_TIMEOUT_MS: '400' } });
    await gateway.execute(LIST); // token and warm pool
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.simulator.faults.clear();
    gateway.resetUpstreamCalls();
  });

  it('retries a 503 and answers when OneLogin recovers', async () => {
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 503,
      route: 'GET /api/1/events',
      times: 2,
    });
    const result = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(result.errors).toBeUndefined();
    expect(result.data!.events.nodes).toHaveLength(2);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
  });

  it.each([
    [
      { kind: 'status' as const, status: 500 as const },
      'UPSTREAM_UNAVAILABLE',
      'OneLogin is unavailable (HTTP 500)',
      500,
    ],
    [
      { kind: 'status' as const, status: 502 as const },
      'UPSTREAM_UNAVAILABLE',
      'OneLogin is unavailable (HTTP 502)',
      502,
    ],
    [{ kind: 'drop' as const }, 'UPSTREAM_UNAVAILABLE', 'OneLogin is unavailable', null],
    [
      { kind: 'truncate' as const },
      'UPSTREAM_BAD_RESPONSE',
      'OneLogin sent an answer the gateway could not read (HTTP 200)',
      200,
    ],
  ])('reports %j that persists after retries as %s', async (fault, code, message, status) => {
    gateway.simulator.faults.inject({ ...fault, route: 'GET /api/1/events', times: 3 });
    const result = await gateway.execute(LIST);
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message,
          path: ['events'],
          locations: [{ line: 1, column: 9 }],
          extensions: { code, upstream: { service: 'onelogin', status } },
        },
      ],
      // Each attempt is charged: retries are what no estimate foresees.
      extensions: cost(1, 3),
    });
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
  });

  it('abandons a hung call after UPSTREAM_TIMEOUT_MS and answers from the retry', async () => {
    gateway.simulator.faults.inject({ kind: 'hang', route: 'GET /api/1/events' });
    const started = performance.now();
    const result = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(result.errors).toBeUndefined();
    expect(result.data!.events.nodes).toHaveLength(2);
    // One 400 ms attempt abandoned, a short backoff, then the answer.
    expect(performance.now() - started).toBeLessThan(2000);
    // The hung call and its retry.
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 2 });
  });

  it('reports a hang that lasts through every attempt as UPSTREAM_TIMEOUT', async () => {
    gateway.simulator.faults.inject({ kind: 'hang', route: 'GET /api/1/events', times: 3 });
    const result = await gateway.execute(LIST);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'OneLogin did not answer in time',
        extensions: { code: 'UPSTREAM_TIMEOUT', upstream: { service: 'onelogin', status: null } },
      }),
    ]);
  });

  it.each([
    [{ kind: 'rateLimit429' as const }, 429],
    [{ kind: 'rateLimit400' as const }, 400],
  ])('reports rate limiting (%j) with when to try again', async (fault, status) => {
    // A gateway of its own: the 400 variant says the hourly budget is spent, after
    // which the gateway stops calling OneLogin until the reset (accountBudget.test.ts).
    const own = await startTestGateway();
    try {
      // Twice: a single short 429 burst is waited out (see below).
      own.simulator.faults.inject({ ...fault, route: 'GET /api/1/events', times: 2 });
      const result = await own.execute(LIST);
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: `OneLogin's rate limit for the account is spent (HTTP ${status})`,
          extensions: expect.objectContaining({
            code: 'UPSTREAM_RATE_LIMITED',
            upstream: { service: 'onelogin', status },
          }),
        }),
      ]);
      expect(typeof result.errors![0]!.extensions!['retryAfterSeconds']).toBe('number');
    } finally {
      await own.stop();
    }
  });

  it('waits out a short 429 burst (Retry-After: 1) and tries once more', async () => {
    gateway.simulator.faults.inject({ kind: 'rateLimit429', route: 'GET /api/1/events' });
    const result = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(result.errors).toBeUndefined();
    expect(result.data!.events.nodes).toHaveLength(2);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 2 });
  });

  it('tries only once more: a burst that lasts is UPSTREAM_RATE_LIMITED after two calls', async () => {
    gateway.simulator.faults.inject({ kind: 'rateLimit429', route: 'GET /api/1/events', times: 3 });
    const result = await gateway.execute(LIST);
    expect(result.errors).toEqual([
      expect.objectContaining({
        extensions: {
          code: 'UPSTREAM_RATE_LIMITED',
          upstream: { service: 'onelogin', status: 429 },
          retryAfterSeconds: 1,
        },
      }),
    ]);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 2 });
    gateway.simulator.faults.clear();
  });

  it('does not wait when the hourly budget is spent (Retry-After is the time to the reset)', async () => {
    const own = await startTestGateway();
    try {
      own.simulator.rateLimit.setRemaining(0);
      const result = await own.execute(LIST);
      expect(result.errors).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({
            code: 'UPSTREAM_RATE_LIMITED',
            upstream: { service: 'onelogin', status: 429 },
          }),
        }),
      ]);
      expect(result.errors![0]!.extensions!['retryAfterSeconds']).toBeGreaterThan(3);
      expect(own.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events': 1,
      });
    } finally {
      await own.stop();
    }
  });

  it('refreshes an expired token once and retries', async () => {
    gateway.simulator.tokens.expireAll();
    const result = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(result.data!.events.nodes).toHaveLength(2);
    expect(gateway.upstreamCalls()).toEqual({
      'GET /api/1/events': 2,
      'POST /auth/oauth2/v2/token': 1,
    });
  });

  it('refreshes a revoked token once and retries', async () => {
    gateway.simulator.tokens.revokeAll();
    const result = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(result.data!.events.nodes).toHaveLength(2);
    expect(gateway.upstreamCalls()).toEqual({
      'GET /api/1/events': 2,
      'POST /auth/oauth2/v2/token': 1,
    });
  });

  it('requests a new token shortly before the old one expires, without a 401', async () => {
    const clock = createTestClock();
    const shortLived = await startTestGateway({
      clock,
      simulatorOptions: { eventCount: 100, tokenLifetimeSeconds: 2 },
    });
    try {
      await shortLived.execute(LIST);
      clock.advance(1900); // past 90% of the lifetime
      await shortLived.execute(LIST);
      expect(shortLived.simulator.counters.snapshot().byRoute).toEqual({
        'POST /auth/oauth2/v2/token': { total: 2, byStatus: { '200': 2 } },
        'GET /api/1/events': { total: 2, byStatus: { '200': 2 } },
      });
    } finally {
      await shortLived.stop();
    }
  });

  it('shares one token request and one upstream GET among identical concurrent queries', async () => {
    const slow = await startTestGateway({ simulatorOptions: { eventCount: 200, latencyMs: 150 } });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => slow.execute(LIST)));
      expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
      expect(slow.upstreamCalls()).toEqual({
        'POST /auth/oauth2/v2/token': 1,
        'GET /api/1/events': 1,
      });
    } finally {
      await slow.stop();
    }
  });

  it('never shows the upstream body, URL, token or secret to clients or in logs', async () => {
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 503,
      route: 'GET /api/1/events',
      times: 3,
    });
    const { text } = await gateway.post({ query: LIST });
    expect(text).not.toContain(gateway.simulator.url);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('stack');
    const everything = text + gateway.logs.join('');
    expect(everything).not.toContain(DEMO_CREDENTIALS.clientSecret);
    expect(everything).not.toMatch(/Bearer [0-9a-f]{20,}/i);
    expect(everything).not.toMatch(/[0-9a-f]{64}/); // access tokens are 64 hex characters
  });
});

describe('credentials OneLogin rejects', () => {
  it('report UPSTREAM_AUTH_FAILED without the secret', async () => {
    const gateway = await startTestGateway({
      env: { ONELOGIN_CLIENT_SECRET: 'wrong-secret-value' },
    });
    try {
      const result = await gateway.execute(LIST);
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message: "OneLogin rejected the gateway's API credentials (HTTP 401)",
            path: ['events'],
            locations: [{ line: 1, column: 9 }],
            extensions: {
              code: 'UPSTREAM_AUTH_FAILED',
              upstream: { service: 'onelogin', status: 401 },
            },
          },
        ],
        // The page was charged before its token was refused (token requests are not counted).
        extensions: cost(1, 1),
      });
      expect(gateway.logs.join('')).not.toContain('wrong-secret-value');
    } finally {
      await gateway.stop();
    }
  });
});

describe('the fields= projection', () => {
  let proxy: RecordingProxy;
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
    proxy = await startRecordingProxy(gateway.simulator.url);
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
  });

  it('asks OneLogin only for the fields the query selects', async () => {
    const viaProxy = await startTestGateway({
      simulator: gateway.simulator,
      env: { ONELOGIN_BASE_URL: proxy.url },
    });
    try {
      await viaProxy.execute(`query {
        events(first: 10, filter: { eventTypeIds: ["5", "6"] }) { nodes { id createdAt userName riskLevel eventType { name } } }
      }`);
      const list = proxy.requests.find((request) => request.url.startsWith('/api/1/events?'));
      expect(list?.query).toEqual({
        event_type_id: '5,6',
        sort: '-created_at',
        limit: '10',
        fields: 'id,created_at,user_name,risk_score,event_type_id',
      });
    } finally {
      await viaProxy.stop();
    }
  });
});

describe('a token endpoint that answers 500 (the API credential’s creating user was deleted)', () => {
  let gateway: TestGateway;
  const clock = createTestClock();

  beforeAll(async () => {
    gateway = await startTestGateway({ clock });
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('reports UPSTREAM_AUTH_FAILED, logs the cause once, and makes no second token call inside the backoff window', async () => {
    // No token yet: the first query must ask for one.
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 500,
      route: 'POST /auth/oauth2/v2/token',
      times: 10,
    });
    const expected = {
      data: null,
      errors: [
        {
          message: "OneLogin rejected the gateway's API credentials (HTTP 500)",
          path: ['events'],
          locations: [{ line: 1, column: 9 }],
          extensions: {
            code: 'UPSTREAM_AUTH_FAILED',
            upstream: { service: 'onelogin', status: 500 },
          },
        },
      ],
      // The page was charged before its token was refused (token requests are not counted).
      extensions: cost(1, 1),
    };

    expect(await gateway.execute(LIST)).toEqual(expected);
    expect(gateway.upstreamCalls()).toEqual({ 'POST /auth/oauth2/v2/token': 1 });

    // Within the first backoff window (1 s): the same answer, without asking OneLogin.
    clock.advance(900);
    expect(await gateway.execute(LIST)).toEqual(expected);
    expect(gateway.upstreamCalls()).toEqual({ 'POST /auth/oauth2/v2/token': 1 });

    // After it, one more token request (still 500), then a window of 2 s.
    clock.advance(200);
    expect(await gateway.execute(LIST)).toEqual(expected);
    expect(gateway.upstreamCalls()).toEqual({ 'POST /auth/oauth2/v2/token': 2 });
    clock.advance(1900);
    expect(await gateway.execute(LIST)).toEqual(expected);
    expect(gateway.upstreamCalls()).toEqual({ 'POST /auth/oauth2/v2/token': 2 });

    // OneLogin issues tokens again: the next try after the window succeeds.
    gateway.simulator.faults.clear();
    clock.advance(200);
    const recovered = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(recovered.errors).toBeUndefined();
    expect(gateway.upstreamCalls()).toMatchObject({ 'POST /auth/oauth2/v2/token': 3 });

    const lines = gateway.logs.map((line) => JSON.parse(line) as { level: number; msg: string });
    const errors = lines.filter(
      (line) => line.level === 50 && line.msg.includes('OneLogin will not issue a token'),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain('the user who created the API credential was deleted');
    expect(errors[0]!.msg).toContain('ONELOGIN_CLIENT_ID/ONELOGIN_CLIENT_SECRET');
    const everything = gateway.logs.join('');
    expect(everything).not.toContain(DEMO_CREDENTIALS.clientSecret);
    expect(everything).not.toMatch(/basic [A-Za-z0-9+/=]{8,}/i);
  });
});

describe("each OneLogin route's circuit breaker", () => {
  let gateway: TestGateway;
  const health = async () =>
    ((await (await fetch(new URL('/healthz', gateway.url))).json()) as { circuits: unknown })
      .circuits;

  beforeAll(async () => {
    gateway = await startTestGateway({
      simulatorOptions: { eventCount: 100 },
      // A short half-open delay, so that the test does not wait 5 s.
      env: {
        UPSTREAM_BREAKER_HALF_OPEN_MS: '300',
        UPSTREAM_BREAKER_MIN_CALLS_PER_SECOND: '1',
        UPSTREAM_RETRIES: '1',
      },
    });
  });
  afterAll(() => gateway.stop());

  it('opens after repeated failures: calls fail fast and cost OneLogin nothing; other routes go on; a probe closes it', async () => {
    // Warm the catalogue and the token, so that only the events route is measured.
    await gateway.execute('{ eventType(id: "5") { name } }');
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 503,
      route: 'GET /api/1/events',
      times: 1000,
    });
    gateway.resetUpstreamCalls();
    // More than half the calls fail for long enough (10 s window, one call a second at least).
    let opened = false;
    for (let i = 0; i < 30 && !opened; i += 1) {
      const result = await gateway.execute(LIST);
      opened =
        result.errors?.[0]?.message.startsWith('OneLogin is unavailable: after repeated') ?? false;
    }
    expect(opened).toBe(true);
    expect(await health()).toEqual({ 'GET /api/1/events': 'open' });

    // While it is open: UPSTREAM_UNAVAILABLE at once, no call.
    gateway.resetUpstreamCalls();
    const refused = await gateway.execute(LIST);
    expect(refused).toEqual({
      data: null,
      errors: [
        {
          message:
            'OneLogin is unavailable: after repeated failures the gateway stops calling it for a few seconds',
          locations: [{ line: 1, column: 9 }],
          path: ['events'],
          extensions: {
            code: 'UPSTREAM_UNAVAILABLE',
            upstream: { service: 'onelogin', status: null },
          },
        },
      ],
      // Charged by the request's budget before the open circuit refused it: OneLogin was not called.
      extensions: cost(1, 1),
    });
    expect(gateway.upstreamCalls()).toEqual({});
    // Another route has a circuit of its own.
    expect((await gateway.execute('{ event(id: "1") { id } }')).errors).toBeUndefined();
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/:id': 1 });

    // OneLogin is back: after the half-open delay, one probe goes through and closes the circuit.
    gateway.simulator.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 350));
    gateway.resetUpstreamCalls();
    const back = await gateway.execute<{ events: { nodes: unknown[] } }>(LIST);
    expect(back.errors).toBeUndefined();
    expect(back.data!.events.nodes).toHaveLength(2);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    expect(await health()).toEqual({});
    expect(gateway.logs.map((line) => JSON.parse(line) as { msg: string })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          route: 'GET /api/1/events',
          msg: 'circuit open: calls to this route fail fast for now',
        }),
        expect.objectContaining({
          level: 30,
          route: 'GET /api/1/events',
          msg: 'circuit closed: calls go through again',
        }),
      ]),
    );
  });
});
