import type { EventDto } from '../upstream/dto';
import { parseOneLoginDateTime } from './oneLoginDateTime';

/**
 * The gateway's time window, `[since, until)` at millisecond precision,
 * whatever OneLogin does: its Get Events page says `since`/`until` are precise
 * to the second and that events are returned "created after since, but before
 * until" (both exclusive, API.md §3.1, S-GE), while a third-party README reads
 * both as inclusive. The gateway asks OneLogin for a window widened to whole
 * seconds, one second more at each end, which holds every event of
 * `[since, until)` under each of those readings:
 * - since: OneLogin gets floor_s(since) - 1 s. Exclusive at seconds, it returns
 *   events whose second is > floor_s(since) - 1 s, i.e. every second from
 *   since's own on; at milliseconds or inclusive, more.
 * - until: OneLogin gets floor_s(until) + 1 s. Exclusive at seconds, it returns
 *   events whose second is < floor_s(until) + 1 s, i.e. up to until's own
 *   second; at milliseconds or inclusive, more.
 * The events outside `[since, until)` are then dropped by `contains`.
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
    params.until = new Date(Math.floor(window.untilMs / 1000) * 1000 + 1000).toISOString();
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
