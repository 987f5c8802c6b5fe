import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import type { RedisClient } from '../../src/cache/createCacheStores';
import { AccountBudget } from '../../src/limits/AccountBudget';
import { createSilentLogger } from '../../src/logging/createLogger';

const logger = createSilentLogger();

function clock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** What `admit` answers: 'ok', or the error's code and retryAfterSeconds. */
function admit(budget: AccountBudget, bulk: boolean): unknown {
  try {
    budget.admit({ bulk });
    return 'ok';
  } catch (error) {
    const { code, retryAfterSeconds } = (error as { extensions: Record<string, unknown> })
      .extensions;
    return { code, retryAfterSeconds };
  }
}

describe('AccountBudget (one process)', () => {
  it('knows nothing before OneLogin answers, and admits everything', () => {
    const budget = new AccountBudget({ reserve: 0.2, namespace: 't', logger });
    expect(budget.snapshot()).toEqual({
      limit: null,
      remaining: null,
      resetSeconds: null,
      reserve: null,
      cooldownSeconds: 0,
      shared: 'memory',
    });
    expect(admit(budget, true)).toBe('ok');
  });

  it('keeps the reserve for interactive work: bulk work is refused below it, until the reset', () => {
    const time = clock();
    const budget = new AccountBudget({ reserve: 0.2, namespace: 't', logger, now: time.now });
    budget.observe(5000, 1001, 600);
    expect(admit(budget, true)).toBe('ok');
    budget.observe(5000, 999, 599);
    expect(budget.snapshot()).toEqual({
      limit: 5000,
      remaining: 999,
      // The same window: its reset as first seen.
      resetSeconds: 600,
      reserve: 1000,
      cooldownSeconds: 0,
      shared: 'memory',
    });
    expect(admit(budget, true)).toEqual({ code: 'UPSTREAM_BUDGET_LOW', retryAfterSeconds: 600 });
    expect(admit(budget, false)).toBe('ok');
    time.advance(600_000);
    expect(admit(budget, true)).toBe('ok');
    expect(budget.snapshot().limit).toBeNull();
  });

  it('keeps the lowest remaining of one window, whatever order the answers arrive in', () => {
    const time = clock();
    const budget = new AccountBudget({ reserve: 0.2, namespace: 't', logger, now: time.now });
    budget.observe(5000, 900, 100);
    budget.observe(5000, 950, 100);
    expect(budget.snapshot().remaining).toBe(900);
    // A new window (reset an hour later) replaces the old one.
    budget.observe(5000, 4999, 3700);
    expect(budget.snapshot()).toMatchObject({ remaining: 4999, resetSeconds: 3700 });
  });

  it('stops every call once the budget is spent, then reopens with one probe after the reset', () => {
    const time = clock();
    const budget = new AccountBudget({
      reserve: 0.2,
      namespace: 't',
      logger,
      now: time.now,
      reopenJitterMs: 0,
    });
    budget.exhausted(30);
    expect(admit(budget, false)).toEqual({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 30 });
    expect(budget.snapshot().cooldownSeconds).toBe(30);
    time.advance(29_500);
    expect(admit(budget, false)).toEqual({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 1 });
    time.advance(500);
    // The first call after the reset goes alone; the others wait for its answer.
    expect(admit(budget, false)).toBe('ok');
    expect(admit(budget, false)).toEqual({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 2 });
    budget.observe(5000, 4999, 3600);
    expect([admit(budget, false), admit(budget, true)]).toEqual(['ok', 'ok']);
    expect(budget.snapshot().cooldownSeconds).toBe(0);
  });

  it('goes on cooling down when the probe meets the spent budget again', () => {
    const time = clock();
    const budget = new AccountBudget({
      reserve: 0.2,
      namespace: 't',
      logger,
      now: time.now,
      reopenJitterMs: 0,
    });
    budget.exhausted(10);
    time.advance(10_000);
    expect(admit(budget, false)).toBe('ok');
    budget.exhausted(60);
    expect(admit(budget, false)).toEqual({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 60 });
  });

  it('reopens when the probe gets no answer that says anything within 2 s', () => {
    const time = clock();
    const budget = new AccountBudget({
      reserve: 0.2,
      namespace: 't',
      logger,
      now: time.now,
      reopenJitterMs: 0,
    });
    budget.exhausted(5);
    time.advance(5_000);
    expect(admit(budget, false)).toBe('ok');
    time.advance(2_000);
    expect(admit(budget, false)).toBe('ok');
  });

  it('treats `X-RateLimit-Remaining: 0` as spent, before OneLogin has to answer 429', () => {
    const time = clock();
    const budget = new AccountBudget({
      reserve: 0.2,
      namespace: 't',
      logger,
      now: time.now,
      reopenJitterMs: 0,
    });
    budget.observe(5000, 0, 42);
    expect(admit(budget, false)).toEqual({ code: 'UPSTREAM_RATE_LIMITED', retryAfterSeconds: 42 });
  });

  it('spreads the replicas’ first calls after a reset over the jitter', () => {
    const reopenings = Array.from({ length: 20 }, () => {
      const time = clock();
      const budget = new AccountBudget({
        reserve: 0.2,
        namespace: 't',
        logger,
        now: time.now,
        reopenJitterMs: 1000,
      });
      budget.exhausted(1);
      let waited = 0;
      while (admit(budget, false) !== 'ok') {
        time.advance(50);
        waited += 50;
      }
      return waited;
    });
    expect(Math.min(...reopenings)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...reopenings)).toBeLessThanOrEqual(2050);
    expect(new Set(reopenings).size).toBeGreaterThan(3);
  });
});

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  process.stdout.write(
    'AccountBudget.test.ts: REDIS_URL is not set, so the budget view shared through Redis is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

describeWithRedis('AccountBudget shared through Redis', () => {
  let redis: RedisClient;
  const namespace = `test-account-budget-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    redis = createClient({ url: redisURL }) as RedisClient;
    await redis.connect();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${namespace}*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.quit();
  });

  function replica(ns: string) {
    return new AccountBudget({
      reserve: 0.2,
      namespace: ns,
      logger,
      redis,
      syncIntervalMs: 60_000,
      reopenJitterMs: 0,
    });
  }

  it('gives a replica that made no call the budget another one saw', async () => {
    const ns = `${namespace}:view`;
    const [a, b] = [replica(ns), replica(ns)];
    try {
      a.observe(5000, 900, 600);
      await a.sync();
      await b.sync();
      expect(b.snapshot()).toEqual({
        limit: 5000,
        remaining: 900,
        resetSeconds: 600,
        reserve: 1000,
        cooldownSeconds: 0,
        shared: 'redis',
      });
      expect(admit(b, true)).toEqual({ code: 'UPSTREAM_BUDGET_LOW', retryAfterSeconds: 600 });
      // The lowest remaining of the window wins, from whichever replica.
      b.observe(5000, 950, 599);
      await b.sync();
      expect(b.snapshot().remaining).toBe(900);
    } finally {
      a.close();
      b.close();
    }
  });

  it('shares one cooldown: once one replica meets the spent budget, none calls OneLogin', async () => {
    const ns = `${namespace}:cooldown`;
    const [a, b] = [replica(ns), replica(ns)];
    try {
      a.exhausted(120);
      await a.sync();
      await b.sync();
      expect(admit(b, false)).toEqual({
        code: 'UPSTREAM_RATE_LIMITED',
        retryAfterSeconds: expect.any(Number),
      });
      expect(b.snapshot().cooldownSeconds).toBeGreaterThan(118);
      const stored = await redis.hGetAll(`${ns}:onelogin:account-budget`);
      expect(Number(stored['cooldownUntil'])).toBeGreaterThan(Date.now() + 118_000);
      expect(await redis.pTTL(`${ns}:onelogin:account-budget`)).toBeGreaterThan(170_000);
    } finally {
      a.close();
      b.close();
    }
  });
});
