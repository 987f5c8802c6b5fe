import type { Random } from './createRandom';
import { ROUTE_KEYS } from './routeKeys';
import type {
  FaultController,
  FaultInjection,
  FaultKind,
  FaultRates,
  RateLimitBurst,
} from './types';

export interface FaultSource extends FaultController {
  /**
   * The fault for this request, if any: an outage first, then injected ones (FIFO), then a
   * 429 burst, then the shares.
   */
  next(route: string, upstream: boolean): FaultKind | null;
  rates(): FaultRates;
  /** The outage in force, or null. */
  outage(): FaultKind | null;
}

const SHARE_NAMES = ['errorRate', 'rateLimitRate', 'hangRate', 'truncateRate', 'dropRate'] as const;
const SETTING_NAMES = ['hangMs', 'rateLimitBurst'] as const;
const ROUTES = new Set<string>([...ROUTE_KEYS, 'other']);
const MAX_DELAY_MS = 600_000;
const MAX_BURST_EVERY_MS = 3_600_000;
const MAX_RETRY_AFTER_SECONDS = 3_600;
const KINDS = 'status, afterWrite, rateLimit429, rateLimit400, hang, truncate, drop, delay';

function isMs(value: unknown, max = MAX_DELAY_MS): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;
}

function isRetryAfter(value: unknown): value is number {
  return (
    Number.isInteger(value) &&
    (value as number) >= 0 &&
    (value as number) <= MAX_RETRY_AFTER_SECONDS
  );
}

function validateBurst(value: unknown): RateLimitBurst {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RangeError(
      'rateLimitBurst must be an object: { everyMs, forMs, retryAfterSeconds?, firstAfterMs? }',
    );
  }
  const { everyMs, forMs, retryAfterSeconds, firstAfterMs, ...rest } = value as Record<
    string,
    unknown
  >;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) {
    throw new RangeError(
      `unknown rateLimitBurst field ${unknown}; known: everyMs, forMs, retryAfterSeconds, firstAfterMs`,
    );
  }
  if (
    !Number.isInteger(everyMs) ||
    (everyMs as number) < 1 ||
    (everyMs as number) > MAX_BURST_EVERY_MS
  ) {
    throw new RangeError(
      `rateLimitBurst.everyMs must be an integer from 1 to ${MAX_BURST_EVERY_MS}`,
    );
  }
  if (
    !Number.isInteger(forMs) ||
    (forMs as number) < 1 ||
    (forMs as number) > (everyMs as number)
  ) {
    throw new RangeError('rateLimitBurst.forMs must be an integer from 1 to everyMs');
  }
  if (retryAfterSeconds !== undefined && !isRetryAfter(retryAfterSeconds)) {
    throw new RangeError(
      `rateLimitBurst.retryAfterSeconds must be an integer from 0 to ${MAX_RETRY_AFTER_SECONDS}`,
    );
  }
  if (
    firstAfterMs !== undefined &&
    (!Number.isInteger(firstAfterMs) ||
      (firstAfterMs as number) < 0 ||
      (firstAfterMs as number) > MAX_BURST_EVERY_MS)
  ) {
    throw new RangeError(
      `rateLimitBurst.firstAfterMs must be an integer from 0 to ${MAX_BURST_EVERY_MS}`,
    );
  }
  return {
    everyMs: everyMs as number,
    forMs: forMs as number,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    ...(firstAfterMs === undefined ? {} : { firstAfterMs: firstAfterMs as number }),
  };
}

/** Throws a RangeError that explains what is wrong with `rates`. */
export function validateFaultRates(rates: unknown): FaultRates {
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) {
    throw new RangeError('fault rates must be an object');
  }
  const result: FaultRates = {};
  let sum = 0;
  for (const [name, value] of Object.entries(rates)) {
    if (name === 'hangMs') {
      if (!isMs(value)) throw new RangeError(`hangMs must be a number from 0 to ${MAX_DELAY_MS}`);
      result.hangMs = value;
      continue;
    }
    if (name === 'rateLimitBurst') {
      result.rateLimitBurst = validateBurst(value);
      continue;
    }
    if (!(SHARE_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(
        `unknown fault rate ${name}; known: ${[...SHARE_NAMES, ...SETTING_NAMES].join(', ')}`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`${name} must be a number from 0 to 1`);
    }
    result[name as (typeof SHARE_NAMES)[number]] = value;
    sum += value;
  }
  if (sum > 1 + 1e-9) throw new RangeError('fault rates must add up to at most 1');
  return result;
}

/** Throws a RangeError that explains what is wrong with `fault`. */
export function validateFaultInjection(fault: unknown): FaultInjection {
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
    throw new RangeError('a fault injection must be an object');
  }
  const { kind, status, ms, retryAfterSeconds, route, times } = fault as Record<string, unknown>;
  if (route !== undefined && (typeof route !== 'string' || !ROUTES.has(route))) {
    throw new RangeError(`route must be one of: ${[...ROUTES].join(', ')}`);
  }
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1)) {
    throw new RangeError('times must be a positive integer');
  }
  const target = {
    ...(route === undefined ? {} : { route: route as string }),
    ...(times === undefined ? {} : { times: times as number }),
  };
  switch (kind) {
    case 'status':
      if (status !== 500 && status !== 502 && status !== 503) {
        throw new RangeError('status must be 500, 502 or 503');
      }
      return { kind, status, ...target };
    case 'afterWrite':
      if (status !== 500 && status !== 502 && status !== 504) {
        throw new RangeError('status must be 500, 502 or 504');
      }
      return { kind, status, ...target };
    case 'delay':
      if (!isMs(ms)) throw new RangeError(`ms must be a number from 0 to ${MAX_DELAY_MS}`);
      return { kind, ms, ...target };
    case 'hang':
      if (ms !== undefined && !isMs(ms)) {
        throw new RangeError(`ms must be a number from 0 to ${MAX_DELAY_MS}`);
      }
      return { kind, ...(ms === undefined ? {} : { ms }), ...target };
    case 'rateLimit429':
      if (retryAfterSeconds !== undefined && !isRetryAfter(retryAfterSeconds)) {
        throw new RangeError(
          `retryAfterSeconds must be an integer from 0 to ${MAX_RETRY_AFTER_SECONDS}`,
        );
      }
      return {
        kind,
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
        ...target,
      };
    case 'rateLimit400':
    case 'truncate':
    case 'drop':
      return { kind, ...target };
    default:
      throw new RangeError(`kind must be one of: ${KINDS}`);
  }
}

/** Throws a RangeError that explains what is wrong with an outage's `fault`. */
export function validateOutage(fault: unknown): FaultKind {
  const validated = validateFaultInjection(fault);
  if (validated.route !== undefined || validated.times !== undefined) {
    throw new RangeError(
      'an outage hits every /api and /auth request until it ends: no route or times',
    );
  }
  return validated;
}

/**
 * The simulator's faults. `clock` (epoch ms) times the 429 bursts: they count from when the
 * rates were set.
 */
export function createFaultController(
  initial: FaultRates,
  random: Random,
  clock: () => number = Date.now,
): FaultSource {
  let rates = validateFaultRates(initial);
  let ratesSetAt = clock();
  let queue: Array<{ fault: FaultKind; route: string | undefined; left: number }> = [];
  let outage: FaultKind | null = null;

  const inBurst = (): FaultKind | null => {
    const burst = rates.rateLimitBurst;
    if (!burst) return null;
    const since = clock() - ratesSetAt - (burst.firstAfterMs ?? 0);
    if (since < 0 || since % burst.everyMs >= burst.forMs) return null;
    return { kind: 'rateLimit429', retryAfterSeconds: burst.retryAfterSeconds ?? 1 };
  };

  const fromShares = (): FaultKind | null => {
    let roll = random.next();
    const take = (share: number | undefined): boolean => {
      roll -= share ?? 0;
      return roll < 0;
    };
    if (take(rates.errorRate))
      return { kind: 'status', status: random.pick([500, 502, 503] as const) };
    if (take(rates.rateLimitRate)) return { kind: 'rateLimit429' };
    if (take(rates.hangRate)) {
      return rates.hangMs === undefined ? { kind: 'hang' } : { kind: 'hang', ms: rates.hangMs };
    }
    if (take(rates.truncateRate)) return { kind: 'truncate' };
    if (take(rates.dropRate)) return { kind: 'drop' };
    return null;
  };

  return {
    set(next) {
      rates = validateFaultRates(next);
      ratesSetAt = clock();
    },
    inject(injection) {
      const { route, times, ...fault } = validateFaultInjection(injection);
      queue.push({ fault: fault as FaultKind, route, left: times ?? 1 });
    },
    startOutage(fault) {
      outage = validateOutage(fault);
    },
    endOutage() {
      outage = null;
    },
    clear() {
      rates = {};
      queue = [];
      outage = null;
    },
    rates: () => ({ ...rates }),
    outage: () => outage,
    next(route, upstream) {
      if (upstream && outage) return outage;
      const index = queue.findIndex((entry) =>
        entry.route === undefined ? upstream : entry.route === route,
      );
      const entry = queue[index];
      if (entry) {
        entry.left -= 1;
        if (entry.left === 0) queue.splice(index, 1);
        return entry.fault;
      }
      if (!upstream) return null;
      return inBurst() ?? fromShares();
    },
  };
}
