import type { EventDto } from '../upstream/dto';
import { parseOneLoginDateTime } from './oneLoginDateTime';

/**
 * The gateway's time window, `[since, until)` at millisecond precision,
 * whatever OneLogin does: its Get Events page says `since`/`until` are precise
 * to the second and that events are returned "created after since, but before
 * until" (both exclusive, API.md §3.1, S-GE), while a third-party README
 * (XSOAR) reads both as inclusive. The gateway asks OneLogin for a window of
 * whole seconds (so truncating or rounding the bounds changes nothing) that
 * holds every event of `[since, until)` under each reading, precision second
 * or millisecond, bounds exclusive or inclusive:
 * - since: OneLogin gets floor_s(since) - 1 s. At seconds and exclusive it
 *   returns the events whose second is > floor_s(since) - 1 s, i.e. every
 *   second from since's own on; every other reading returns more. (floor_s
 *   alone would lose since's own second under that reading.)
 * - until: OneLogin gets ceil_s(until), i.e. `until` itself when it is a
 *   whole second. At seconds and exclusive it returns the events whose second
 *   is < ceil_s(until): an event at t < until has floor_s(t) <= t < until <=
 *   ceil_s(until), so it is in; at milliseconds and exclusive, t < until <=
 *   ceil_s(until) again; the inclusive readings return more. No extra second
 *   is needed (floor_s(until) + 1 s is the same bound except on a whole second,
 *   where it would ask for a useless extra second).
 * The events outside `[since, until)` are then dropped by `windowContains`.
 */
export interface EventWindow {
  sinceMs: number | null;
  untilMs: number | null;
}

/** The upstream `since`/`until` for a window (ISO 8601 with milliseconds, as OneLogin documents). */
export function upstreamWindowParams(window: EventWindow): { since?: string; until?: string } {
  const params: { since?: string; until?: string } = {};
  if (window.sinceMs !== null)
    params.since = new Date(Math.floor(window.sinceMs / 1000) * 1000 - 1000).toISOString();
  if (window.untilMs !== null)
    params.until = new Date(Math.ceil(window.untilMs / 1000) * 1000).toISOString();
  return params;
}

/**
 * Whether an event OneLogin returned for the widened window is in the
 * gateway's window. An event whose `created_at` cannot be read is kept: its
 * own field reports the bad value.
 */
export function windowContains(window: EventWindow, event: EventDto): boolean {
  const raw = event.created_at;
  if (typeof raw !== 'string') return true;
  let at = Date.parse(raw);
  if (Number.isNaN(at) || !raw.endsWith('Z')) at = parseOneLoginDateTime(raw)?.getTime() ?? NaN;
  if (Number.isNaN(at)) return true;
  if (window.sinceMs !== null && at < window.sinceMs) return false;
  if (window.untilMs !== null && at >= window.untilMs) return false;
  return true;
}
