import { describe, expect, it } from '@jest/globals';

import { RetryBudget } from '../../src/upstream/RetryBudget';

function budget(options: { ratio?: number; minimum?: number } = {}) {
  let now = 0;
  const retries = new RetryBudget({
    ratio: options.ratio ?? 0.2,
    windowMs: 10_000,
    minimum: options.minimum ?? 0,
    now: () => now,
  });
  return {
    retries,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('RetryBudget', () => {
  it('allows retries up to 20 % of all calls in the window, retries included', () => {
    const { retries } = budget();
    for (let i = 0; i < 100; i += 1) retries.recordCall();
    const allowed = Array.from({ length: 30 }, () => retries.tryRetry()).filter(Boolean);
    // 25 retries are 20 % of 125 calls.
    expect(allowed).toHaveLength(25);
    expect(retries.snapshot()).toEqual({ calls: 100, retries: 25 });
  });

  it('always allows the minimum, so that a quiet gateway still retries a glitch', () => {
    const { retries } = budget({ minimum: 3 });
    retries.recordCall();
    expect([
      retries.tryRetry(),
      retries.tryRetry(),
      retries.tryRetry(),
      retries.tryRetry(),
    ]).toEqual([true, true, true, false]);
  });

  it('forgets calls and retries older than the window, a bucket at a time', () => {
    const { retries, advance } = budget();
    for (let i = 0; i < 40; i += 1) retries.recordCall();
    expect(Array.from({ length: 20 }, () => retries.tryRetry()).filter(Boolean)).toHaveLength(10);
    expect(retries.tryRetry()).toBe(false);
    advance(5_000);
    for (let i = 0; i < 40; i += 1) retries.recordCall();
    // 80 calls and 10 retries in the window: 10 more fit (20 of 100).
    expect(Array.from({ length: 15 }, () => retries.tryRetry()).filter(Boolean)).toHaveLength(10);
    advance(5_500);
    // The first 40 calls and their 10 retries left the window.
    expect(retries.snapshot()).toEqual({ calls: 40, retries: 10 });
    advance(60_000);
    expect(retries.snapshot()).toEqual({ calls: 0, retries: 0 });
  });

  it('allows no retry at all with a ratio and a minimum of 0', () => {
    const { retries } = budget({ ratio: 0 });
    for (let i = 0; i < 10; i += 1) retries.recordCall();
    expect(retries.tryRetry()).toBe(false);
  });
});
