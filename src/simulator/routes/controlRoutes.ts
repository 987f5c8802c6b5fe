import type { Counters } from '../createCounters';
import {
  validateFaultInjection,
  validateFaultRates,
  validateOutage,
} from '../createFaultController';
import type { FaultSource } from '../createFaultController';
import { apiError, jsonResponse } from '../responses';
import type { SimRequest, SimResponse } from '../responses';
import type { EventRecord } from '../types';

export const CONTROL_PREFIX = '/__simulator';

const NO_CONTENT: SimResponse = { status: 204, headers: {}, body: '' };

function readJson(request: SimRequest): unknown {
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (_error) {
    throw new RangeError('the body must be JSON');
  }
}

/** At most this many events per `POST /live/emit`. */
const MAX_EMIT = 1000;

/** `POST /live/emit`'s body: `{}` or `{"count": n}` (1 to 1000, default 1). */
function validateEmit(body: unknown): number {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RangeError('the body must be a JSON object');
  }
  const count = (body as { count?: unknown }).count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_EMIT) {
    throw new RangeError(`count must be an integer from 1 to ${MAX_EMIT}`);
  }
  return count;
}

/** Whether `address` is this machine: 127.0.0.0/8, ::1, or either mapped into IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}

/**
 * The reserved `/__simulator/` endpoints tests and benchmarks use: counters, faults, health,
 * and the outage switch. Not part of OneLogin's API; never counted, delayed or faulted.
 *
 * - `GET /health`; `GET|DELETE /counters`.
 * - `GET|PUT|DELETE /faults` (the shares, `hangMs`, `rateLimitBurst`; DELETE clears every
 *   fault, an outage included); `POST /faults/inject` (one fault, `times` times).
 * - `GET|PUT|DELETE /outage`: `PUT {"kind":"drop"}` (or `{"kind":"status","status":503}`, any
 *   fault kind) takes OneLogin down, every /api and /auth request failing so, until
 *   `DELETE`; `GET` says `{"outage":null}` or the fault. Only from this machine (403
 *   otherwise), even when the simulator listens on every interface.
 * - `POST /live/emit` (`{"count": n}`, default 1): records n new events now, as time passing
 *   does (`live.emit`), and answers `{"events": [{"id", "created_at"}, …]}`, so that a
 *   benchmark in another process knows when each was created.
 */
export function handleControl(
  controls: {
    counters: Counters;
    faults: FaultSource;
    live?: { emit(count: number): EventRecord[] };
  },
  request: SimRequest,
): SimResponse {
  const path = request.path.replace(/\/+$/, '');
  const route = `${request.method} ${path.slice(CONTROL_PREFIX.length)}`;
  try {
    switch (route) {
      case 'GET /health':
        return jsonResponse(200, { status: 'ok' });
      case 'GET /counters':
        return jsonResponse(200, controls.counters.snapshot());
      case 'DELETE /counters':
        controls.counters.reset();
        return NO_CONTENT;
      case 'GET /faults':
        return jsonResponse(200, controls.faults.rates());
      case 'PUT /faults':
        controls.faults.set(validateFaultRates(readJson(request)));
        return NO_CONTENT;
      case 'POST /faults/inject':
        controls.faults.inject(validateFaultInjection(readJson(request)));
        return NO_CONTENT;
      case 'DELETE /faults':
        controls.faults.clear();
        return NO_CONTENT;
      case 'GET /outage':
      case 'PUT /outage':
      case 'DELETE /outage':
        return handleOutage(controls.faults, request);
      case 'POST /live/emit': {
        if (!controls.live) return apiError(404, 'No Route Exists');
        const created = controls.live.emit(validateEmit(readJson(request)));
        return jsonResponse(200, {
          events: created.map((event) => ({ id: event.id, created_at: event.created_at })),
        });
      }
      default:
        return apiError(404, 'No Route Exists');
    }
  } catch (error) {
    if (error instanceof RangeError) return apiError(400, error.message);
    throw error;
  }
}

function handleOutage(faults: FaultSource, request: SimRequest): SimResponse {
  if (!isLoopbackAddress(request.remoteAddress)) {
    return apiError(403, 'the outage switch answers only requests from this machine');
  }
  switch (request.method) {
    case 'GET':
      return jsonResponse(200, { outage: faults.outage() });
    case 'PUT':
      faults.startOutage(validateOutage(readJson(request)));
      return NO_CONTENT;
    default:
      faults.endOutage();
      return NO_CONTENT;
  }
}
