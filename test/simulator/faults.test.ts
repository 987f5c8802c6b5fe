import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator } from '../../src/simulator';
import type { FaultInjection, SimulatorHandle } from '../../src/simulator';
import { handleControl, isLoopbackAddress } from '../../src/simulator/routes/controlRoutes';
import { createCounters } from '../../src/simulator/createCounters';
import { createFaultController } from '../../src/simulator/createFaultController';
import { createRandom } from '../../src/simulator/createRandom';
import { FIXED_NOW, call, getToken, postLegacyEvent } from './helpers/simulatorClient';

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
const HTML_503 =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n';

function envelope(code: number, type: string, message: string) {
  return { status: { error: true, code, type, message } };
}

/** How a request ended: an answer, or the client's error. */
async function outcome(
  simulator: SimulatorHandle,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const answer = await call(simulator, path, { signal: AbortSignal.timeout(400), ...init });
    return { status: answer.status, text: answer.text };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('faults', () => {
  let simulator: SimulatorHandle;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 300 });
    bearer = { Authorization: `Bearer ${await getToken(simulator)}` };
  });
  afterEach(() => {
    simulator.faults.clear();
    simulator.counters.reset();
  });
  afterAll(() => simulator.close());

  const types = () => outcome(simulator, '/api/1/events/types');
  const events = () => outcome(simulator, '/api/1/events?limit=2', { headers: bearer });

  it.each<[string, FaultInjection, unknown]>([
    [
      'status 500',
      { kind: 'status', status: 500 },
      {
        status: 500,
        text: JSON.stringify(envelope(500, 'internal server error', 'Internal Server Error')),
      },
    ],
    ['status 502', { kind: 'status', status: 502 }, { status: 502, text: HTML_502 }],
    ['status 503', { kind: 'status', status: 503 }, { status: 503, text: HTML_503 }],
    [
      'rateLimit400',
      { kind: 'rateLimit400' },
      { status: 400, text: JSON.stringify(envelope(400, 'bad request', 'rate_limit_exceeded')) },
    ],
    ['hang', { kind: 'hang' }, { error: 'TimeoutError' }],
    ['drop', { kind: 'drop' }, { error: 'TypeError' }],
  ])('injects %s once, then answers normally', async (_name, fault, expected) => {
    simulator.faults.inject(fault);

    expect(await events()).toEqual(expected);
    expect(await events()).toEqual({ status: 200, text: expect.any(String) });
  });

  it('injects 429 with Retry-After', async () => {
    simulator.faults.inject({ kind: 'rateLimit429' });
    const answer = await call(simulator, '/api/1/events', { headers: bearer });

    expect({
      status: answer.status,
      retryAfter: answer.headers.get('retry-after'),
      body: answer.body,
    }).toEqual({
      status: 429,
      retryAfter: '1',
      body: envelope(429, 'too many requests', 'rate_limit_exceeded'),
    });
  });

  it('truncates a real JSON body in half and answers 200', async () => {
    const whole = (await types()) as { status: number; text: string };
    simulator.faults.inject({ kind: 'truncate' });
    const truncated = (await types()) as { status: number; text: string };

    expect(truncated).toEqual({
      status: 200,
      text: whole.text.slice(0, Math.floor(whole.text.length / 2)),
    });
    expect(() => JSON.parse(truncated.text)).toThrow(SyntaxError);
  });

  it('delays an answer by the given milliseconds', async () => {
    simulator.faults.inject({ kind: 'delay', ms: 250 });
    const started = performance.now();
    const answer = await outcome(simulator, '/api/1/events/types', {
      signal: AbortSignal.timeout(2000),
    });

    expect(answer).toEqual({ status: 200, text: expect.any(String) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('consumes injections first in, first out, each as many times as asked', async () => {
    simulator.faults.inject({ kind: 'status', status: 503, times: 2 });
    simulator.faults.inject({ kind: 'rateLimit400' });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(((await types()) as { status: number }).status);

    expect(statuses).toEqual([503, 503, 400, 200]);
  });

  it('aims an injection at one route and leaves the others alone', async () => {
    simulator.faults.inject({ kind: 'status', status: 500, route: 'GET /api/1/events/types' });

    expect(((await events()) as { status: number }).status).toBe(200);
    expect(((await types()) as { status: number }).status).toBe(500);
  });

  it('can fault the token endpoint and the legacy API', async () => {
    simulator.faults.inject({ kind: 'status', status: 502, route: 'POST /auth/oauth2/v2/token' });
    simulator.faults.inject({ kind: 'status', status: 503, route: 'POST /api/v1/events.xml' });

    await expect(getToken(simulator)).rejects.toThrow('token request failed');
    expect(
      (await postLegacyEvent(simulator, '<event><event-type-id>5</event-type-id></event>')).status,
    ).toBe(503);
  });

  it('applies injections before shares', async () => {
    simulator.faults.set({ errorRate: 1 });
    simulator.faults.inject({ kind: 'rateLimit400' });

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(((await types()) as { status: number }).status);

    expect(statuses[0]).toBe(400);
    expect(statuses.slice(1).every((status) => [500, 502, 503].includes(status))).toBe(true);
  });

  it('fails about the share of requests it is told to', async () => {
    simulator.faults.set({ errorRate: 0.2, truncateRate: 0.1 });
    const answers = [];
    for (let i = 0; i < 300; i++) {
      answers.push(
        (await outcome(simulator, '/api/1/events?limit=1', { headers: bearer })) as {
          status: number;
          text: string;
        },
      );
    }
    const errors = answers.filter((answer) => answer.status >= 500).length;
    const truncated = answers.filter(
      (answer) => answer.status === 200 && !answer.text.endsWith('}]}'),
    ).length;

    expect(errors).toBeGreaterThan(35);
    expect(errors).toBeLessThan(90);
    expect(truncated).toBeGreaterThan(12);
    expect(truncated).toBeLessThan(55);
  });

  it('hangs and drops by share too', async () => {
    simulator.faults.set({ hangRate: 0.5, dropRate: 0.5 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => types()));
    const errors = new Set(outcomes.map((result) => (result as { error: string }).error));

    expect([...errors].sort()).toEqual(['TimeoutError', 'TypeError']);
    const counted = simulator.counters.snapshot().byRoute['GET /api/1/events/types'];
    expect((counted?.byStatus.hung ?? 0) + (counted?.byStatus.dropped ?? 0)).toBe(10);
  });

  it('leaves the control endpoints and paths outside /api and /auth alone', async () => {
    simulator.faults.set({ errorRate: 1 });

    expect(await outcome(simulator, '/__simulator/health')).toEqual({
      status: 200,
      text: '{"status":"ok"}',
    });
    expect(((await outcome(simulator, '/favicon.ico')) as { status: number }).status).toBe(404);
  });

  it('refuses a fault it does not know', () => {
    expect(() => simulator.faults.set({ errorRate: 2 })).toThrow(RangeError);
    expect(() => simulator.faults.inject({ kind: 'status', status: 404 as 500 })).toThrow(
      'status must be 500, 502 or 503',
    );
  });

  describe('over HTTP', () => {
    const control = (method: string, path: string, body?: unknown) =>
      call(simulator, `/__simulator${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('PUT /__simulator/faults sets shares and DELETE clears them', async () => {
      const put = await control('PUT', '/faults', { errorRate: 1 });
      const read = await control('GET', '/faults');
      const faulted = (await types()) as { status: number };
      const cleared = await control('DELETE', '/faults');
      const normal = (await types()) as { status: number };

      expect([put.status, read.body, faulted.status >= 500, cleared.status, normal.status]).toEqual(
        [204, { errorRate: 1 }, true, 204, 200],
      );
    });

    it('POST /__simulator/faults/inject injects one fault', async () => {
      const injected = await control('POST', '/faults/inject', {
        kind: 'status',
        status: 502,
        route: 'GET /api/1/events',
        times: 1,
      });

      expect(injected.status).toBe(204);
      expect(((await events()) as { status: number }).status).toBe(502);
      expect(((await events()) as { status: number }).status).toBe(200);
    });

    it.each<[string, string, string, unknown, string]>([
      [
        'PUT',
        '/faults',
        'a share over 1',
        { errorRate: 2 },
        'errorRate must be a number from 0 to 1',
      ],
      [
        'PUT',
        '/faults',
        'shares adding up over 1',
        { errorRate: 0.6, dropRate: 0.6 },
        'fault rates must add up to at most 1',
      ],
      [
        'PUT',
        '/faults',
        'an unknown share',
        { slowRate: 0.1 },
        'unknown fault rate slowRate; known: errorRate, rateLimitRate, hangRate, truncateRate, dropRate, hangMs, rateLimitBurst',
      ],
      ['PUT', '/faults', 'an array', [0.1], 'fault rates must be an object'],
      [
        'POST',
        '/faults/inject',
        'an unknown kind',
        { kind: 'explode' },
        'kind must be one of: status, afterWrite, rateLimit429, rateLimit400, hang, truncate, drop, delay',
      ],
      [
        'POST',
        '/faults/inject',
        'a status it does not fake',
        { kind: 'status', status: 418 },
        'status must be 500, 502 or 503',
      ],
      [
        'POST',
        '/faults/inject',
        'a negative delay',
        { kind: 'delay', ms: -1 },
        'ms must be a number from 0 to 600000',
      ],
      [
        'POST',
        '/faults/inject',
        'zero times',
        { kind: 'hang', times: 0 },
        'times must be a positive integer',
      ],
      [
        'POST',
        '/faults/inject',
        'an unknown route',
        { kind: 'hang', route: 'GET /nowhere' },
        expect.stringMatching(
          /^route must be one of: POST \/auth\/oauth2\/v2\/token, /,
        ) as unknown as string,
      ],
    ])('%s %s refuses %s with 400', async (method, path, _name, body, message) => {
      const answer = await control(method, path, body);

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: envelope(400, 'bad request', message),
      });
    });

    it('refuses a body that is not JSON', async () => {
      const answer = await call(simulator, '/__simulator/faults', { method: 'PUT', body: '{' });

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: envelope(400, 'bad request', 'the body must be JSON'),
      });
    });

    it('answers 404 to an unknown control path', async () => {
      expect((await control('GET', '/nothing')).status).toBe(404);
    });
  });
});

describe('counters', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 100 });
  });
  afterAll(() => simulator.close());

  it('count every upstream request by route and status, faulted ones included', async () => {
    simulator.counters.reset();
    const token = await getToken(simulator);
    const bearer = { Authorization: `Bearer ${token}` };
    await call(simulator, '/api/1/events', { headers: bearer });
    await call(simulator, '/api/1/events');
    await call(simulator, `/api/1/events/${simulator.data.events()[0]?.id}`, { headers: bearer });
    await call(simulator, '/api/1/events/types');
    await call(simulator, '/api/1/users');
    await call(simulator, '/auth/rate_limit', { headers: bearer });
    await postLegacyEvent(simulator, '<event><event-type-id>5</event-type-id></event>');
    simulator.faults.inject({ kind: 'hang', route: 'GET /api/1/events/types' });
    simulator.faults.inject({ kind: 'drop', route: 'GET /api/1/events/types' });
    simulator.faults.inject({ kind: 'status', status: 503, route: 'GET /api/1/events/types' });
    await outcome(simulator, '/api/1/events/types');
    await outcome(simulator, '/api/1/events/types');
    await outcome(simulator, '/api/1/events/types');
    await call(simulator, '/__simulator/health');
    await call(simulator, '/__simulator/counters');

    const expected = {
      total: 11,
      byRoute: {
        'POST /auth/oauth2/v2/token': { total: 1, byStatus: { '200': 1 } },
        'GET /api/1/events': { total: 2, byStatus: { '200': 1, '400': 1 } },
        'GET /api/1/events/:id': { total: 1, byStatus: { '200': 1 } },
        'GET /api/1/events/types': {
          total: 4,
          byStatus: { '200': 1, hung: 1, dropped: 1, '503': 1 },
        },
        other: { total: 1, byStatus: { '404': 1 } },
        'GET /auth/rate_limit': { total: 1, byStatus: { '200': 1 } },
        'POST /api/v1/events.xml': { total: 1, byStatus: { '201': 1 } },
      },
    };
    expect(simulator.counters.snapshot()).toEqual(expected);
    expect((await call(simulator, '/__simulator/counters')).body).toEqual(expected);
  });

  it('DELETE /__simulator/counters resets them', async () => {
    await call(simulator, '/api/1/events/types');
    const reset = await call(simulator, '/__simulator/counters', { method: 'DELETE' });

    expect(reset.status).toBe(204);
    expect(simulator.counters.snapshot()).toEqual({ total: 0, byRoute: {} });
  });
});

describe('latency and start-up faults', () => {
  it('delays /api and /auth answers by latency plus jitter, but not the control endpoints', async () => {
    const simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 10,
      latencyMs: 150,
      jitterMs: 50,
    });
    try {
      const timed = async (path: string) => {
        const started = performance.now();
        await call(simulator, path);
        return performance.now() - started;
      };
      const api = await timed('/api/1/events/types');
      const control = await timed('/__simulator/health');

      expect(api).toBeGreaterThanOrEqual(145);
      expect(api).toBeLessThan(600);
      expect(control).toBeLessThan(100);
    } finally {
      await simulator.close();
    }
  });

  it('starts with the fault shares it is given', async () => {
    const simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 10,
      faults: { rateLimitRate: 1 },
    });
    try {
      expect((await call(simulator, '/api/1/events/types')).status).toBe(429);
    } finally {
      await simulator.close();
    }
  });

  it('closes promptly while a request hangs', async () => {
    const simulator = await startSimulator({ now: FIXED_NOW, eventCount: 10 });
    simulator.faults.inject({ kind: 'hang' });
    const hanging = fetch(`${simulator.url}/api/1/events/types`).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await simulator.close();

    expect(performance.now() - started).toBeLessThan(500);
    expect(await hanging).toBe('closed');
  });
});

describe('429 bursts', () => {
  let now = FIXED_NOW;
  let simulator: SimulatorHandle;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 50, clock: () => now });
    bearer = { Authorization: `Bearer ${await getToken(simulator)}` };
  });
  afterEach(() => simulator.faults.clear());
  afterAll(() => simulator.close());

  const answerAt = async (ms: number, path = '/api/1/events?limit=1') => {
    now = FIXED_NOW + ms;
    const answer = await call(simulator, path, { headers: bearer });
    return `${answer.status}${answer.status === 429 ? ` ${answer.headers.get('retry-after')}` : ''}`;
  };

  it('answers every /api and /auth request 429 for forMs out of every everyMs, from when they are set', async () => {
    now = FIXED_NOW;
    simulator.faults.set({ rateLimitBurst: { everyMs: 10_000, forMs: 1_000 } });

    const answers = [];
    for (const ms of [0, 999, 1_000, 9_999, 10_000, 10_999, 11_000, 20_500]) {
      answers.push(await answerAt(ms));
    }
    now = FIXED_NOW + 30_000;
    const token = await call(simulator, '/auth/oauth2/v2/token', { method: 'POST' });

    expect(answers).toEqual(['429 1', '429 1', '200', '200', '429 1', '429 1', '200', '429 1']);
    expect(token.status).toBe(429);
    expect(token.body).toEqual(envelope(429, 'too many requests', 'rate_limit_exceeded'));
  });

  it('says the Retry-After it is given, and leaves the shares to the time between bursts', async () => {
    now = FIXED_NOW;
    simulator.faults.set({
      errorRate: 1,
      rateLimitBurst: { everyMs: 5_000, forMs: 2_000, retryAfterSeconds: 2 },
    });

    expect([await answerAt(1_999), await answerAt(2_000)]).toEqual([
      '429 2',
      expect.stringMatching(/^50[023]$/),
    ]);
  });

  it('starts the first burst firstAfterMs after they are set', async () => {
    now = FIXED_NOW;
    simulator.faults.set({
      rateLimitBurst: { everyMs: 10_000, forMs: 1_000, firstAfterMs: 5_000 },
    });

    const answers = [];
    for (const ms of [0, 4_999, 5_000, 5_999, 6_000, 15_000, 16_000])
      answers.push(await answerAt(ms));

    expect(answers).toEqual(['200', '200', '429 1', '429 1', '200', '429 1', '200']);
  });

  it('counts the bursts again from a later set, and ends them with clear', async () => {
    now = FIXED_NOW + 500;
    simulator.faults.set({ rateLimitBurst: { everyMs: 10_000, forMs: 1_000 } });
    const during = await answerAt(1_400);
    const after = await answerAt(1_500);
    simulator.faults.clear();

    expect([during, after, await answerAt(10_600)]).toEqual(['429 1', '200', '200']);
  });

  it('leaves the control endpoints alone during a burst', async () => {
    now = FIXED_NOW;
    simulator.faults.set({ rateLimitBurst: { everyMs: 1_000, forMs: 1_000 } });

    expect((await call(simulator, '/__simulator/health')).status).toBe(200);
    expect(await answerAt(0, '/api/1/events/types')).toBe('429 1');
  });

  it('is set over HTTP too, and read back', async () => {
    now = FIXED_NOW;
    const burst = { everyMs: 10_000, forMs: 1_000, retryAfterSeconds: 1 };
    const put = await call(simulator, '/__simulator/faults', {
      method: 'PUT',
      body: JSON.stringify({ rateLimitBurst: burst, errorRate: 0.1 }),
    });
    const read = await call(simulator, '/__simulator/faults');

    expect([put.status, read.body, await answerAt(10)]).toEqual([
      204,
      { rateLimitBurst: burst, errorRate: 0.1 },
      '429 1',
    ]);
  });

  it.each<[string, unknown, string]>([
    [
      'not an object',
      5,
      'rateLimitBurst must be an object: { everyMs, forMs, retryAfterSeconds?, firstAfterMs? }',
    ],
    [
      'a burst longer than its period',
      { everyMs: 1_000, forMs: 2_000 },
      'rateLimitBurst.forMs must be an integer from 1 to everyMs',
    ],
    ['no period', { forMs: 10 }, 'rateLimitBurst.everyMs must be an integer from 1 to 3600000'],
    [
      'a fractional Retry-After',
      { everyMs: 1_000, forMs: 10, retryAfterSeconds: 0.5 },
      'rateLimitBurst.retryAfterSeconds must be an integer from 0 to 3600',
    ],
    [
      'a negative first burst',
      { everyMs: 1_000, forMs: 10, firstAfterMs: -1 },
      'rateLimitBurst.firstAfterMs must be an integer from 0 to 3600000',
    ],
    [
      'an unknown field',
      { everyMs: 1_000, forMs: 10, jitterMs: 5 },
      'unknown rateLimitBurst field jitterMs; known: everyMs, forMs, retryAfterSeconds, firstAfterMs',
    ],
  ])('refuses %s', async (_name, rateLimitBurst, message) => {
    const answer = await call(simulator, '/__simulator/faults', {
      method: 'PUT',
      body: JSON.stringify({ rateLimitBurst }),
    });

    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 400,
      body: envelope(400, 'bad request', message),
    });
  });

  it('injects one 429 with the Retry-After it is given', async () => {
    simulator.faults.inject({ kind: 'rateLimit429', retryAfterSeconds: 3 });

    expect([await answerAt(0), await answerAt(0)]).toEqual(['429 3', '200']);
    expect(() => simulator.faults.inject({ kind: 'rateLimit429', retryAfterSeconds: -1 })).toThrow(
      'retryAfterSeconds must be an integer from 0 to 3600',
    );
  });
});

describe('hangs that end', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 20 });
  });
  afterEach(() => {
    simulator.faults.clear();
    simulator.counters.reset();
  });
  afterAll(() => simulator.close());

  const timedTypes = async () => {
    const started = performance.now();
    const answer = await call(simulator, '/api/1/events/types', {
      signal: AbortSignal.timeout(3_000),
    });
    return { status: answer.status, ms: performance.now() - started };
  };

  it('answers an injected hang with ms that late, as it would have, and counts it once, as hung', async () => {
    simulator.faults.inject({ kind: 'hang', ms: 200 });
    const late = await timedTypes();

    expect(late.status).toBe(200);
    expect(late.ms).toBeGreaterThanOrEqual(190);
    expect(simulator.counters.snapshot()).toEqual({
      total: 1,
      byRoute: { 'GET /api/1/events/types': { total: 1, byStatus: { hung: 1 } } },
    });
  });

  it('ends the hangs of hangRate after hangMs', async () => {
    simulator.faults.set({ hangRate: 1, hangMs: 150 });
    const late = await timedTypes();

    expect(late.status).toBe(200);
    expect(late.ms).toBeGreaterThanOrEqual(140);
  });

  it('refuses a hangMs out of range', () => {
    expect(() => simulator.faults.set({ hangMs: -1 })).toThrow(
      'hangMs must be a number from 0 to 600000',
    );
    expect(() => simulator.faults.inject({ kind: 'hang', ms: 600_001 })).toThrow(
      'ms must be a number from 0 to 600000',
    );
  });
});

describe('outage', () => {
  let simulator: SimulatorHandle;
  let bearer: { Authorization: string };

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 20 });
    bearer = { Authorization: `Bearer ${await getToken(simulator)}` };
  });
  afterEach(() => {
    simulator.faults.clear();
    simulator.counters.reset();
  });
  afterAll(() => simulator.close());

  const status = async (path: string, init: RequestInit = {}) => {
    const result = await outcome(simulator, path, init);
    return 'status' in result ? result.status : result.error;
  };
  const everything = async () => [
    await status('/api/1/events', { headers: bearer }),
    await status('/api/1/events/types'),
    await status('/auth/oauth2/v2/token', { method: 'POST' }),
    await status('/api/v1/logins/failed_provisioning.json'),
    await status('/__simulator/health'),
    await status('/oidc/2/certs'),
  ];

  it('fails every /api and /auth request while it lasts, and none of the others', async () => {
    simulator.faults.startOutage({ kind: 'drop' });
    const down = await everything();
    simulator.faults.endOutage();
    const back = await everything();

    expect(down).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError', 200, 200]);
    expect(back).toEqual([200, 200, 400, 401, 200, 200]);
    expect(simulator.counters.snapshot().byRoute['GET /api/1/events']?.byStatus).toEqual({
      dropped: 1,
      '200': 1,
    });
  });

  it('comes before injections and shares, which wait until it ends', async () => {
    simulator.faults.set({ errorRate: 1 });
    simulator.faults.inject({ kind: 'rateLimit400' });
    simulator.faults.startOutage({ kind: 'status', status: 503 });
    const down = [await status('/api/1/events/types'), await status('/api/1/events/types')];
    simulator.faults.endOutage();

    expect(down).toEqual([503, 503]);
    expect(await status('/api/1/events/types')).toBe(400);
    expect(await status('/api/1/events/types')).toBeGreaterThanOrEqual(500);
  });

  it('ends with clear, like every other fault', async () => {
    simulator.faults.startOutage({ kind: 'status', status: 502 });
    simulator.faults.clear();

    expect(await status('/api/1/events/types')).toBe(200);
  });

  describe('over HTTP', () => {
    const control = (method: string, body?: unknown) =>
      call(simulator, '/__simulator/outage', {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('PUT starts it, GET reads it, DELETE ends it', async () => {
      const put = await control('PUT', { kind: 'status', status: 503 });
      const read = await control('GET');
      const down = await outcome(simulator, '/api/1/events/types');
      const deleted = await control('DELETE');
      const after = await control('GET');

      expect([put.status, read.body, down, deleted.status, after.body]).toEqual([
        204,
        { outage: { kind: 'status', status: 503 } },
        { status: 503, text: HTML_503 },
        204,
        { outage: null },
      ]);
      expect(await status('/api/1/events/types')).toBe(200);
    });

    it('DELETE /__simulator/faults ends it too', async () => {
      await control('PUT', { kind: 'drop' });
      await call(simulator, '/__simulator/faults', { method: 'DELETE' });

      expect(await status('/api/1/events/types')).toBe(200);
    });

    it.each<[string, unknown, string]>([
      [
        'a route',
        { kind: 'drop', route: 'GET /api/1/events' },
        'an outage hits every /api and /auth request until it ends: no route or times',
      ],
      [
        'times',
        { kind: 'drop', times: 3 },
        'an outage hits every /api and /auth request until it ends: no route or times',
      ],
      [
        'no kind',
        {},
        'kind must be one of: status, afterWrite, rateLimit429, rateLimit400, hang, truncate, drop, delay',
      ],
    ])('refuses %s with 400', async (_name, body, message) => {
      const answer = await control('PUT', body);

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: envelope(400, 'bad request', message),
      });
      expect(await status('/api/1/events/types')).toBe(200);
    });
  });

  it('answers only requests from this machine', () => {
    const faults = createFaultController({}, createRandom(1, 'faults'));
    const request = (method: string, remoteAddress: string) => ({
      method,
      path: '/__simulator/outage',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from(JSON.stringify({ kind: 'drop' })),
      origin: 'http://127.0.0.1:1',
      remoteAddress,
    });
    const counters = createCounters();

    const remote = handleControl({ counters, faults }, request('PUT', '192.0.2.7'));
    const local = handleControl({ counters, faults }, request('PUT', '::ffff:127.0.0.1'));

    expect([remote.status, JSON.parse(remote.body)]).toEqual([
      403,
      envelope(403, 'error', 'the outage switch answers only requests from this machine'),
    ]);
    expect([local.status, faults.outage()]).toEqual([204, { kind: 'drop' }]);
  });

  it.each<[string | undefined, boolean]>([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['fe80::1', false],
    ['1127.0.0.1', false],
    [undefined, false],
  ])('isLoopbackAddress(%s) is %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});
