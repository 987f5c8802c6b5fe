import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator } from '../../src/simulator';
import type { SimulatorHandle } from '../../src/simulator';
import type { Answer } from './helpers/simulatorClient';
import { FIXED_NOW, LEGACY_AUTH, call, getToken, postLegacyEvent } from './helpers/simulatorClient';

function budgetHeaders(answer: Answer) {
  return {
    limit: answer.headers.get('x-ratelimit-limit'),
    remaining: answer.headers.get('x-ratelimit-remaining'),
    reset: Number(answer.headers.get('x-ratelimit-reset')),
  };
}

describe('the account rate limit', () => {
  let simulator: SimulatorHandle;
  let token: string;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 200, rateLimitPerHour: 5 });
    token = await getToken(simulator);
  });
  beforeEach(() => simulator.rateLimit.reset());
  afterAll(() => simulator.close());

  const events = () =>
    call(simulator, '/api/1/events?limit=1', { headers: { Authorization: `Bearer ${token}` } });

  it('spends one call per /api/1 request and reports it in the headers', async () => {
    const id = simulator.data.events()[0]?.id;
    const answers = [
      await events(),
      await call(simulator, `/api/1/events/${id}`, {
        headers: { Authorization: `Bearer ${token}` },
      }),
      await call(simulator, '/api/1/events/types'),
      await call(simulator, '/api/1/events?limit=0', {
        headers: { Authorization: `Bearer ${token}` },
      }),
    ];

    expect(answers.map((answer) => [answer.status, budgetHeaders(answer).remaining])).toEqual([
      [200, '4'],
      [200, '3'],
      [200, '2'],
      [400, '1'],
    ]);
    for (const answer of answers) {
      expect(budgetHeaders(answer)).toEqual({
        limit: '5',
        remaining: expect.any(String),
        reset: expect.any(Number),
      });
      expect(budgetHeaders(answer).reset).toBeGreaterThan(3590);
      expect(budgetHeaders(answer).reset).toBeLessThanOrEqual(3600);
    }
  });

  it('answers 429 with Retry-After once the budget is spent', async () => {
    for (let i = 0; i < 5; i++) expect((await events()).status).toBe(200);
    const refused = await events();

    expect({ status: refused.status, body: refused.body }).toEqual({
      status: 429,
      body: {
        status: {
          error: true,
          code: 429,
          type: 'too many requests',
          message: 'rate_limit_exceeded',
        },
      },
    });
    expect(budgetHeaders(refused)).toEqual({
      limit: '5',
      remaining: '0',
      reset: expect.any(Number),
    });
    expect(refused.headers.get('retry-after')).toBe(String(budgetHeaders(refused).reset));
  });

  it('spends nothing on tokens, rate_limit reads, legacy calls and refused tokens', async () => {
    await getToken(simulator);
    const status = await call(simulator, '/auth/rate_limit', {
      headers: { Authorization: `bearer:${token}` },
    });
    await postLegacyEvent(simulator, '<event><event-type-id>5</event-type-id></event>');
    const legacy = await call(
      simulator,
      '/api/v1/logins/failed_provisioning.json?start_date=2025-05-01T00:00:00Z&stop_date=2025-06-01T00:00:00Z',
      { headers: { Authorization: LEGACY_AUTH } },
    );
    const refused = await call(simulator, '/api/1/events', {
      headers: { Authorization: 'Bearer wrong' },
    });

    expect(status.body).toEqual({
      status: { error: false, code: 200, type: 'success', message: 'Success' },
      data: { 'X-RateLimit-Limit': 5, 'X-RateLimit-Remaining': 5, 'X-RateLimit-Reset': 3600 },
    });
    expect(legacy.headers.get('x-ratelimit-remaining')).toBeNull();
    expect([refused.status, budgetHeaders(refused).remaining]).toEqual([401, '5']);
    expect(budgetHeaders(await events()).remaining).toBe('4');
  });

  it('can be set to a given remainder and reset from the handle', async () => {
    simulator.rateLimit.setRemaining(1);
    const last = await events();
    const refused = await events();
    simulator.rateLimit.reset();
    const again = await events();

    expect([last, refused, again].map((answer) => answer.status)).toEqual([200, 429, 200]);
    expect(budgetHeaders(again).remaining).toBe('4');
  });

  it('still answers rate_limit when the budget is spent', async () => {
    simulator.rateLimit.setRemaining(0);
    const answer = await call(simulator, '/auth/rate_limit', {
      headers: { Authorization: `bearer ${token}` },
    });

    expect(answer.status).toBe(200);
    expect((answer.body as { data: Record<string, number> }).data['X-RateLimit-Remaining']).toBe(0);
  });
});
