import { expect } from '@jest/globals';
import { GET_EVENTS_SAMPLE } from './seedSamples';

/** The event fields in the order of the official sample (seed 001). */
export const SAMPLE_EVENT_KEYS = Object.keys(GET_EVENTS_SAMPLE.data[0] as object);

/** API.md §3.3: the documented type of each field; only four are never null. */
const INTEGER_FIELDS = new Set([
  'id',
  'account_id',
  'user_id',
  'event_type_id',
  'actor_user_id',
  'assuming_acting_user_id',
  'role_id',
  'app_id',
  'group_id',
  'otp_device_id',
  'policy_id',
  'directory_sync_run_id',
  'directory_id',
  'resource_type_id',
  'risk_score',
]);
const NEVER_NULL = new Set(['id', 'created_at', 'account_id', 'event_type_id']);

/** What is wrong with `event`'s shape: keys other than the sample's, or values of the wrong type. */
export function sampleShapeProblems(event: unknown): string[] {
  const problems: string[] = [];
  const keys = Object.keys(event as object);
  if (keys.join() !== SAMPLE_EVENT_KEYS.join()) problems.push(`keys: ${keys.join()}`);
  for (const [field, value] of Object.entries(event as Record<string, unknown>)) {
    const expected = INTEGER_FIELDS.has(field) ? 'integer' : 'string';
    const actual =
      value === null
        ? 'null'
        : Number.isInteger(value)
          ? 'integer'
          : typeof value === 'string'
            ? 'string'
            : typeof value;
    if (actual === 'null' && !NEVER_NULL.has(field)) continue;
    if (actual !== expected) problems.push(`${field}: ${actual}, not ${expected}`);
  }
  const createdAt = (event as { created_at?: unknown }).created_at;
  if (
    typeof createdAt !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(createdAt)
  ) {
    problems.push(`created_at: ${String(createdAt)}`);
  }
  return problems;
}

/** Fails unless `event` has exactly the sample's keys, in order, each of its documented type. */
export function expectSampleShape(event: unknown): void {
  expect(sampleShapeProblems(event)).toEqual([]);
}
