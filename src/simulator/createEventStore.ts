import type { Random } from './createRandom';
import { createEventRecord } from './data/eventFields';
import type { EventFields } from './data/eventFields';
import type { EventRecord } from './types';

export interface EventStore {
  /** Ascending id and, by construction, ascending created_at (ties broken by id). */
  readonly records: EventRecord[];
  /** `created_at` of `records[i]` as epoch ms. */
  readonly createdAtMs: number[];
  /** Position of the event with this id, or -1. */
  indexOfId(id: number): number;
  /** Records a new event "now": a higher id than any other, created_at = the clock. */
  append(fields: EventFields): EventRecord;
}

export function createEventStore(
  initial: EventRecord[],
  accountId: number,
  clock: () => number,
  random: Random,
): EventStore {
  const records = initial;
  const createdAtMs = initial.map((record) => Date.parse(record.created_at));

  return {
    records,
    createdAtMs,
    indexOfId(id) {
      let low = 0;
      let high = records.length - 1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const candidate = (records[middle] as EventRecord).id;
        if (candidate === id) return middle;
        if (candidate < id) low = middle + 1;
        else high = middle - 1;
      }
      return -1;
    },
    append(fields) {
      const last = records[records.length - 1];
      const lastId = last ? last.id : 700_000_000;
      const id = lastId + random.int(1, 500);
      // Never earlier than the newest event, so that id order and created_at order stay the
      // same even when `now` was set ahead of the wall clock; keyset paging relies on it.
      const at = Math.max(clock(), createdAtMs[createdAtMs.length - 1] ?? 0);
      const record = createEventRecord(id, at, accountId, fields);
      records.push(record);
      createdAtMs.push(at);
      return record;
    },
  };
}
