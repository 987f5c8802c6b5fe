import { GraphQLError } from 'graphql';

import type { RedisClient } from '../cache/createCacheStores';
import type { AccountGate } from '../domain/UpstreamBudget';
import { ErrorCode } from '../errors/ErrorCode';
import type { Logger } from '../logging/createLogger';

/** OneLogin's hourly budget for the account, as its `X-RateLimit-*` headers report it (API.md §7.2). */
export interface AccountBudgetState {
  limit: number;
  remaining: number;
  /** Epoch ms at which OneLogin resets the budget (`X-RateLimit-Reset` is seconds from the answer). */
  resetAt: number;
  /** Epoch ms before which no replica calls OneLogin (0: none): the budget is spent. */
  cooldownUntil: number;
}

export interface AccountBudgetSnapshot {
  limit: number | null;
  remaining: number | null;
  resetSeconds: number | null;
  /** Below this many calls left, bulk work is refused (UPSTREAM_BUDGET_LOW). */
  reserve: number | null;
  /** Seconds before the cluster calls OneLogin again; 0 when it is not cooling down. */
  cooldownSeconds: number;
  /** Where the view is shared: Redis (every replica) or this process only. */
  shared: 'redis' | 'memory';
}

export interface AccountBudgetOptions {
  /** Share (0 to 1) of the limit kept for interactive work. */
  reserve: number;
  redis?: RedisClient | undefined;
  namespace: string;
  logger: Logger;
  /** How often the view is exchanged with Redis, ms. Default 1000. */
  syncIntervalMs?: number;
  /** After a cooldown, each replica waits up to this much longer (at random) before its first call. Default 1000. */
  reopenJitterMs?: number;
  /** Epoch ms; real time (OneLogin's reset is in real seconds). */
  now?: () => number;
}

/** Two observations whose reset times are this close describe the same hourly window. */
const SAME_WINDOW_MS = 5000;
/** After a cooldown one call goes first; the others wait this long at most for its answer. */
const PROBE_MS = 2000;

/**
 * The account's OneLogin budget as one view for the whole cluster, and the gate
 * every OneLogin call passes (through UpstreamBudget.spend):
 *
 * - Every OneLogin answer's `X-RateLimit-*` headers update the view; with Redis,
 *   each replica merges its view with the shared one about once a second (one
 *   Lua script: the same hourly window keeps the lowest `remaining`, a newer
 *   window replaces an older one), so a replica that has not called OneLogin for
 *   a while still knows what is left.
 * - Below the reserve (UPSTREAM_RESERVE_PERCENT of the limit), bulk work —
 *   multi-page walks, large `_entities` fan-outs — is refused with
 *   UPSTREAM_BUDGET_LOW before OneLogin would answer 429, so that single pages,
 *   look-ups and `createEvent` keep working until the reset. What the caches hold
 *   is still served, since no call is made for it.
 * - When the budget is spent (a 429 with the time to the reset, or
 *   `X-RateLimit-Remaining: 0`), the whole cluster stops calling OneLogin until the
 *   reset: one shared cooldown, UPSTREAM_RATE_LIMITED with `retryAfterSeconds`.
 *   Replicas learn of it at once when they set it, and within one sync interval
 *   otherwise. At the reset no herd: each replica reopens after its own random
 *   delay (up to `reopenJitterMs`), with one probe call before the others.
 */
export class AccountBudget implements AccountGate {
  private state: AccountBudgetState | undefined;
  private cooldownUntil = 0;
  /** The observation not yet pushed to Redis. */
  private pending: AccountBudgetState | undefined;
  private reopenAt = 0;
  private probeUntil = 0;
  private awaitingProbe = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly key: string;

  constructor(private readonly options: AccountBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.key = `${options.namespace}:onelogin:account-budget`;
    if (options.redis) {
      this.timer = setInterval(() => void this.sync(), options.syncIntervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Records the budget an answer reported (`resetSeconds` from the answer's time). */
  observe(limit: number, remaining: number, resetSeconds: number): void {
    const now = this.now();
    const observed: AccountBudgetState = {
      limit,
      remaining,
      resetAt: now + Math.max(0, resetSeconds) * 1000,
      cooldownUntil: 0,
    };
    this.state = merge(this.state, observed, now);
    this.pending = merge(this.pending, observed, now);
    // An answer came: whoever probed after a cooldown, the way is open again.
    this.awaitingProbe = false;
    if (remaining <= 0) this.exhaustedUntil(observed.resetAt, 'X-RateLimit-Remaining is 0');
  }

  /** OneLogin answered 429 for the spent hourly budget: nobody calls it before `retryAfterSeconds`. */
  exhausted(retryAfterSeconds: number): void {
    this.exhaustedUntil(
      this.now() + Math.max(1, retryAfterSeconds) * 1000,
      'OneLogin answered 429',
    );
  }

  /** Throws when the account may not make this call now (see the class comment). */
  admit(work: { bulk: boolean }): void {
    const now = this.now();
    if (this.cooldownUntil > 0) {
      if (now < this.cooldownUntil || now < this.reopenAt) {
        throw this.rateLimited(Math.max(this.cooldownUntil, this.reopenAt) - now);
      }
      if (this.awaitingProbe && now < this.probeUntil)
        throw this.rateLimited(this.probeUntil - now);
      if (!this.awaitingProbe && this.probeUntil === 0) {
        // The first call after the cooldown goes alone.
        this.awaitingProbe = true;
        this.probeUntil = now + PROBE_MS;
        return;
      }
      this.options.logger.info('the OneLogin budget was reset: calls go through again');
      this.cooldownUntil = 0;
      this.reopenAt = 0;
      this.probeUntil = 0;
      this.awaitingProbe = false;
    }
    const state = this.state;
    if (!work.bulk || !state || now >= state.resetAt) return;
    const reserve = Math.ceil(state.limit * this.options.reserve);
    if (state.remaining < reserve) {
      throw new GraphQLError(
        `OneLogin's hourly call budget for this account is down to ${state.remaining} of ${state.limit}, ` +
          `below the ${reserve} kept for single pages and look-ups, and this request needs more ` +
          `(several pages, or many entities). Ask for one page, or try again after the reset in ` +
          `${seconds(state.resetAt - now)} s.`,
        {
          extensions: {
            code: ErrorCode.UPSTREAM_BUDGET_LOW,
            retryAfterSeconds: seconds(state.resetAt - now),
          },
        },
      );
    }
  }

  snapshot(): AccountBudgetSnapshot {
    const now = this.now();
    const state = this.state && now < this.state.resetAt ? this.state : undefined;
    return {
      limit: state?.limit ?? null,
      remaining: state?.remaining ?? null,
      resetSeconds: state ? seconds(state.resetAt - now) : null,
      reserve: state ? Math.ceil(state.limit * this.options.reserve) : null,
      cooldownSeconds: this.cooldownUntil > now ? seconds(this.cooldownUntil - now) : 0,
      shared: this.options.redis ? 'redis' : 'memory',
    };
  }

  /** Exchanges the view with Redis now (also done on a timer); resolves when done. */
  sync(): Promise<void> {
    const redis = this.options.redis;
    if (!redis || !redis.isReady) return Promise.resolve();
    this.syncing ??= (async () => {
      const pushed = this.pending;
      this.pending = undefined;
      try {
        const reply = (await redis.eval(MERGE_SCRIPT, {
          keys: [this.key],
          arguments: [
            String(pushed?.limit ?? -1),
            String(pushed?.remaining ?? -1),
            String(Math.round(pushed?.resetAt ?? -1)),
            String(Math.round(this.cooldownUntil)),
            String(Math.round(this.now())),
            String(SAME_WINDOW_MS),
          ],
        })) as number[];
        const [limit, remaining, resetAt, cooldownUntil] = reply.map(Number) as [
          number,
          number,
          number,
          number,
        ];
        const now = this.now();
        if (limit >= 0) {
          this.state = merge(this.state, { limit, remaining, resetAt, cooldownUntil: 0 }, now);
        }
        if (cooldownUntil > this.cooldownUntil && cooldownUntil > now) {
          this.startCooldown(cooldownUntil, 'another replica saw the budget spent');
        }
      } catch (error) {
        // The next sync carries this observation again; meanwhile each replica goes by its own.
        this.pending = merge(this.pending, pushed, this.now());
        this.options.logger.debug(
          { error: error instanceof Error ? error.message : String(error) },
          'could not share the OneLogin budget through Redis',
        );
      }
    })().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private exhaustedUntil(until: number, why: string): void {
    if (until <= this.cooldownUntil) return;
    this.startCooldown(until, why);
    // Tell the other replicas now rather than at the next tick.
    void this.sync();
  }

  private startCooldown(until: number, why: string): void {
    const fresh = this.cooldownUntil <= this.now();
    this.cooldownUntil = until;
    this.reopenAt = until + Math.random() * (this.options.reopenJitterMs ?? 1000);
    this.probeUntil = 0;
    this.awaitingProbe = false;
    if (fresh) {
      this.options.logger.warn(
        { cooldownSeconds: seconds(until - this.now()), why },
        "OneLogin's hourly budget for the account is spent: no calls to OneLogin until it resets",
      );
    }
  }

  private rateLimited(ms: number): GraphQLError {
    const retryAfterSeconds = seconds(ms);
    return new GraphQLError(
      `OneLogin's hourly call budget for this account is spent: the gateway makes no calls to OneLogin ` +
        `until it resets, in ${retryAfterSeconds} s (what the gateway has cached is still served).`,
      {
        extensions: {
          code: ErrorCode.UPSTREAM_RATE_LIMITED,
          upstream: { service: 'onelogin', status: null },
          retryAfterSeconds,
        },
      },
    );
  }
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The view after `next`: within one hourly window the lowest `remaining` wins
 * (answers arrive out of order); a newer window replaces an older or ended one.
 */
function merge(
  current: AccountBudgetState | undefined,
  next: AccountBudgetState | undefined,
  now: number,
): AccountBudgetState | undefined {
  if (!next) return current;
  if (!current || current.resetAt <= now || next.resetAt > current.resetAt + SAME_WINDOW_MS) {
    return { ...next };
  }
  if (next.resetAt < current.resetAt - SAME_WINDOW_MS) return current;
  return { ...current, limit: next.limit, remaining: Math.min(current.remaining, next.remaining) };
}

/**
 * The same merge in Redis, atomically (KEYS[1]: the hash; ARGV: limit, remaining,
 * resetAt of an observation or -1, cooldownUntil, now, window tolerance), and the
 * cooldown kept as the latest of all. Returns the merged limit, remaining,
 * resetAt (or -1 each) and cooldownUntil.
 */
const MERGE_SCRIPT = `
local limit, remaining, resetAt = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local cooldown, now, tol = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local cur = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'resetAt', 'cooldownUntil')
local cLimit, cRem, cReset, cCool = tonumber(cur[1]), tonumber(cur[2]), tonumber(cur[3]), tonumber(cur[4]) or 0
if limit >= 0 then
  if cReset == nil or cReset <= now or resetAt > cReset + tol then
    cLimit, cRem, cReset = limit, remaining, resetAt
  elseif resetAt >= cReset - tol then
    cLimit = limit
    if remaining < cRem then cRem = remaining end
  end
end
if cooldown > cCool then cCool = cooldown end
if cReset ~= nil and cReset <= now then cLimit, cRem, cReset = nil, nil, nil end
if cReset == nil and cCool <= now then
  redis.call('DEL', KEYS[1])
  return {-1, -1, -1, 0}
end
redis.call('HSET', KEYS[1], 'limit', cLimit or -1, 'remaining', cRem or -1, 'resetAt', cReset or -1, 'cooldownUntil', cCool)
redis.call('PEXPIREAT', KEYS[1], math.max(cReset or 0, cCool) + 60000)
return {cLimit or -1, cRem or -1, cReset or -1, cCool}
`;
