import type { EventRecord } from '../../src/simulator';

/**
 * The data preconditions integration tests rely on, as functions of the
 * simulator's events, so that the tests and the clock sweep
 * (dataPreconditions.test.ts) check the same thing.
 */

/** The first user (in the simulator's order) with at least `min` events. */
export function userWithEvents(events: readonly EventRecord[], min: number): number {
  const counts = new Map<number, number>();
  for (const event of events) {
    if (event.user_id === null) continue;
    const count = (counts.get(event.user_id) ?? 0) + 1;
    counts.set(event.user_id, count);
  }
  for (const event of events) {
    if (event.user_id !== null && (counts.get(event.user_id) ?? 0) >= min) return event.user_id;
  }
  throw new Error(`no user has ${min} events in the simulator's data`);
}
