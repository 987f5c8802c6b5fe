import type { EventStore } from './createEventStore';
import type { RateLimiter } from './createRateLimiter';
import type { TokenStore } from './createTokenStore';
import type { EventTypeRecord, FailedProvisioningRecord } from './types';

/** Everything the route handlers read and change. */
export interface SimulatorState {
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
