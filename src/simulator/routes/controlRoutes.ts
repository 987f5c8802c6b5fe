import type { Counters } from '../createCounters';
import { validateFaultInjection, validateFaultRates } from '../createFaultController';
import type { FaultSource } from '../createFaultController';
import { apiError, jsonResponse } from '../responses';
import type { SimRequest, SimResponse } from '../responses';

export const CONTROL_PREFIX = '/__simulator';

const NO_CONTENT: SimResponse = { status: 204, headers: {}, body: '' };

function readJson(request: SimRequest): unknown {
  try {
    return JSON.parse(request.body.toString('utf8'));
  } catch (_error) {
    throw new RangeError('the body must be JSON');
  }
}

/**
 * The reserved `/__simulator/` endpoints tests and benchmarks use: counters, faults, health.
 * Not part of OneLogin's API; never counted, delayed or faulted.
 */
export function handleControl(
  controls: { counters: Counters; faults: FaultSource },
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
      default:
        return apiError(404, 'No Route Exists');
    }
  } catch (error) {
    if (error instanceof RangeError) return apiError(400, error.message);
    throw error;
  }
}
