import type { Random } from './createRandom';
import { ROUTE_KEYS } from './routeKeys';
import type { FaultController, FaultInjection, FaultKind, FaultRates } from './types';

export interface FaultSource extends FaultController {
  /** The fault for this request, if any: injected ones first (FIFO), then the shares. */
  next(route: string, upstream: boolean): FaultKind | null;
  rates(): FaultRates;
}

const RATE_NAMES = ['errorRate', 'rateLimitRate', 'hangRate', 'truncateRate', 'dropRate'] as const;
const ROUTES = new Set<string>([...ROUTE_KEYS, 'other']);
const MAX_DELAY_MS = 600_000;

/** Throws a RangeError that explains what is wrong with `rates`. */
export function validateFaultRates(rates: unknown): FaultRates {
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) {
    throw new RangeError('fault rates must be an object');
  }
  const result: FaultRates = {};
  let sum = 0;
  for (const [name, value] of Object.entries(rates)) {
    if (!(RATE_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(`unknown fault rate ${name}; known: ${RATE_NAMES.join(', ')}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new RangeError(`${name} must be a number from 0 to 1`);
    }
    result[name as (typeof RATE_NAMES)[number]] = value;
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
  const { kind, status, ms, route, times } = fault as Record<string, unknown>;
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
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
        throw new RangeError(`ms must be a number from 0 to ${MAX_DELAY_MS}`);
      }
      return { kind, ms, ...target };
    case 'rateLimit429':
    case 'rateLimit400':
    case 'hang':
    case 'truncate':
    case 'drop':
      return { kind, ...target };
    default:
      throw new RangeError(
        'kind must be one of: status, afterWrite, rateLimit429, rateLimit400, hang, truncate, drop, delay',
      );
  }
}

export function createFaultController(initial: FaultRates, random: Random): FaultSource {
  let rates = validateFaultRates(initial);
  let queue: Array<{ fault: FaultKind; route: string | undefined; left: number }> = [];

  const fromShares = (): FaultKind | null => {
    let roll = random.next();
    const take = (share: number | undefined): boolean => {
      roll -= share ?? 0;
      return roll < 0;
    };
    if (take(rates.errorRate))
      return { kind: 'status', status: random.pick([500, 502, 503] as const) };
    if (take(rates.rateLimitRate)) return { kind: 'rateLimit429' };
    if (take(rates.hangRate)) return { kind: 'hang' };
    if (take(rates.truncateRate)) return { kind: 'truncate' };
    if (take(rates.dropRate)) return { kind: 'drop' };
    return null;
  };

  return {
    set(next) {
      rates = validateFaultRates(next);
    },
    inject(injection) {
      const { route, times, ...fault } = validateFaultInjection(injection);
      queue.push({ fault: fault as FaultKind, route, left: times ?? 1 });
    },
    clear() {
      rates = {};
      queue = [];
    },
    rates: () => ({ ...rates }),
    next(route, upstream) {
      const index = queue.findIndex((entry) =>
        entry.route === undefined ? upstream : entry.route === route,
      );
      const entry = queue[index];
      if (entry) {
        entry.left -= 1;
        if (entry.left === 0) queue.splice(index, 1);
        return entry.fault;
      }
      return upstream ? fromShares() : null;
    },
  };
}
