import { generateDataset } from './data/generateDataset';
import type { SimulatorState } from './SimulatorState';
import type { EventRecord } from './types';

/** How many distinct new events are drawn before the pool repeats (with new ids and times). */
const POOL_SIZE = 1_000;

/**
 * New events "as time passes": drafts drawn once from the data set's own scenarios (a seed of
 * their own, so the initial data set is unchanged), appended to the store one by one with a new
 * highest id and `created_at` = the clock (see EventStore.append), exactly as an event written
 * through `createEvent` is. `GET /api/1/events` then lists them like any other: ascending by id
 * and by created_at alike, and `since` finds them.
 */
export function createLiveEvents(
  state: SimulatorState,
  options: { seed: number; now: number; eventTypeIds: number[] },
): { emit(count?: number, fields?: { userId?: number; eventTypeId?: number }): EventRecord[] } {
  let pool: EventRecord[] | undefined;
  let next = 0;
  return {
    emit(count = 1, fields = {}) {
      pool ??= generateDataset({
        seed: options.seed + 0.5,
        now: options.now,
        eventCount: POOL_SIZE,
        failedProvisioningCount: 0,
        accountId: state.accountId,
        eventTypeIds: options.eventTypeIds,
      }).events;
      const created: EventRecord[] = [];
      for (let i = 0; i < count; i++) {
        const draft = pool[next % pool.length] as EventRecord;
        next += 1;
        const record = state.store.append({
          ...draft,
          ...(fields.userId !== undefined ? { user_id: fields.userId } : {}),
          ...(fields.eventTypeId !== undefined ? { event_type_id: fields.eventTypeId } : {}),
        });
        created.push(record);
      }
      return created;
    },
  };
}
