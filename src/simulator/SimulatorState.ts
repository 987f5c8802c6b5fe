import type { EventStore } from './createEventStore';
import type { RateLimiter } from './createRateLimiter';
import type { TokenStore } from './createTokenStore';
import type { EventTypeRecord, FailedProvisioningRecord } from './types';

/** Everything the route handlers read and change. */
/** How OneLogin reads `since`/`until`: the official pages say whole seconds, both exclusive. */
export interface EventWindowReading {
  precision: 'second' | 'millisecond';
  bounds: 'exclusive' | 'inclusive';
}

export interface SimulatorState {
  /** How `since`/`until` are read (see SimulatorOptions.eventWindow). */
  eventWindow: EventWindowReading;
  accountId: number;
  clientId: string;
  clientSecret: string;
  apiKey: string;
  clock: () => number;
  store: EventStore;
  eventTypes: EventTypeRecord[];
  eventTypeIds: ReadonlySet<number>;
  failedProvisionings: FailedProvisioningRecord[];
  tokens: TokenStore;
  rateLimiter: RateLimiter;
}
