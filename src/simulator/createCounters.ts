import type { CounterSnapshot } from './types';

export interface Counters {
  /** Counts one answered (or hung, or dropped) request. */
  record(route: string, status: string): void;
  /** A deep copy; routes nobody called are absent. */
  snapshot(): CounterSnapshot;
  reset(): void;
}

export function createCounters(): Counters {
  let total = 0;
  let byRoute = new Map<string, { total: number; byStatus: Map<string, number> }>();
  return {
    record(route, status) {
      total += 1;
      let entry = byRoute.get(route);
      if (!entry) {
        entry = { total: 0, byStatus: new Map() };
        byRoute.set(route, entry);
      }
      entry.total += 1;
      entry.byStatus.set(status, (entry.byStatus.get(status) ?? 0) + 1);
    },
    snapshot() {
      const routes: CounterSnapshot['byRoute'] = {};
      for (const [route, entry] of byRoute) {
        routes[route] = { total: entry.total, byStatus: Object.fromEntries(entry.byStatus) };
      }
      return { total, byRoute: routes };
    },
    reset() {
      total = 0;
      byRoute = new Map();
    },
  };
}
