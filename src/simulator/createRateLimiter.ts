/** The account budget of /api/1 calls (API.md §7.2). */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds left in the window, as `X-RateLimit-Reset` reports it (not an epoch). */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Spends one call if any is left. */
  consume(): RateLimitState & { allowed: boolean };
  peek(): RateLimitState;
  /** A full budget and a fresh window. */
  reset(): void;
  setRemaining(remaining: number): void;
}

const WINDOW_MS = 3_600_000;

/**
 * "After the hour has passed, the count will be reset to a full 5,000" (D-RL): a fixed one-hour
 * window that opens with the first call after the previous one closed.
 */
export function createRateLimiter(limit: number, clock: () => number): RateLimiter {
  let remaining = limit;
  let windowEnd = clock() + WINDOW_MS;

  const roll = (now: number): void => {
    if (now >= windowEnd) {
      remaining = limit;
      windowEnd = now + WINDOW_MS;
    }
  };
  const state = (now: number): RateLimitState => ({
    limit,
    remaining,
    resetSeconds: Math.max(0, Math.ceil((windowEnd - now) / 1000)),
  });

  return {
    consume() {
      const now = clock();
      roll(now);
      if (remaining <= 0) return { ...state(now), allowed: false };
      remaining -= 1;
      return { ...state(now), allowed: true };
    },
    peek() {
      const now = clock();
      roll(now);
      return state(now);
    },
    reset() {
      remaining = limit;
      windowEnd = clock() + WINDOW_MS;
    },
    setRemaining(value) {
      roll(clock());
      remaining = Math.max(0, Math.min(limit, Math.floor(value)));
    },
  };
}
