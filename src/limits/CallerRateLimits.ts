import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { GraphQLError } from 'graphql';

import type { Caller } from '../auth/Caller';
import type { RedisClient } from '../cache/createCacheStores';
import type { LimitsConfig } from '../config/loadConfig';
import { ErrorCode } from '../errors/ErrorCode';
import type { Logger } from '../logging/createLogger';

/**
 * A caller over one of its limits: the HTTP layer answers 429 with `Retry-After`
 * for requests per minute; for OneLogin calls it is a field error, and the
 * response is 429 when nothing else was answered (see rateLimitStatusPlugin).
 */
export class RateLimitedError extends GraphQLError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryAfterSeconds,
      },
    });
  }
}

/** Charges one OneLogin call to a caller's hourly share, or throws RATE_LIMITED. */
export interface UpstreamQuota {
  consume(): Promise<void>;
}

type Limiter = RateLimiterMemory | RateLimiterRedis;

/**
 * Each caller's own limits, with rate-limiter-flexible: requests per minute,
 * and OneLogin calls per hour (its share of the account's 5,000, so that one
 * caller at full speed cannot spend what belongs to the others). With Redis
 * every replica counts in the same buckets; if Redis fails, each replica
 * falls back to counting in its memory (rate-limiter-flexible's insurance
 * limiter) rather than letting everything through or refusing everything.
 */
export class CallerRateLimits {
  private readonly limiters = new Map<string, Limiter>();

  constructor(
    private readonly config: LimitsConfig,
    private readonly options: { redis?: RedisClient; namespace: string; logger: Logger },
  ) {}

  /** Counts one request of `caller`; throws RATE_LIMITED when it is over its requests per minute. */
  async admitRequest(caller: Caller): Promise<void> {
    const points = caller.limits?.requestsPerMinute ?? this.config.requestsPerMinute;
    await this.consume(
      this.limiter('requests', points, 60),
      caller,
      (seconds) =>
        `Too many requests: this caller may make ${points} requests a minute; try again in ${seconds} s.`,
    );
  }

  /** The caller's hourly share of OneLogin calls, charged one call at a time. */
  upstreamQuota(caller: Caller): UpstreamQuota {
    const points = caller.limits?.upstreamCallsPerHour ?? this.config.upstreamCallsPerHour;
    const limiter = this.limiter('upstream-calls', points, 3600);
    return {
      consume: () =>
        this.consume(
          limiter,
          caller,
          (seconds) =>
            `This caller has spent its share of OneLogin calls (${points} an hour; the account's 5,000 are shared): ` +
            `ask for what the gateway has cached, or try again in ${seconds} s.`,
        ),
    };
  }

  private async consume(
    limiter: Limiter,
    caller: Caller,
    message: (retryAfterSeconds: number) => string,
  ): Promise<void> {
    try {
      await limiter.consume(caller.id, 1);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new RateLimitedError(message(seconds), seconds);
      }
      // Only a store failure without insurance lands here (not with our set-up).
      this.options.logger.warn(
        { reason: (rejection as Error).message },
        'rate limiter failed; request admitted',
      );
    }
  }

  private limiter(kind: string, points: number, duration: number): Limiter {
    const key = `${kind}:${points}:${duration}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      const keyPrefix = `${this.options.namespace}:rate-limit:${kind}:${points}per${duration}s`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      if (this.options.redis) {
        const options: ConstructorParameters<typeof RateLimiterRedis>[0] = {
          storeClient: this.options.redis,
          useRedisPackage: true,
          points,
          duration,
          keyPrefix,
          insuranceLimiter: memory,
        };
        limiter = new RateLimiterRedis(options);
      } else {
        limiter = memory;
      }
      this.limiters.set(key, limiter);
    }
    return limiter;
  }
}
