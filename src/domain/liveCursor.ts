import { peekCursorPosition } from './eventCursor';
import { parseOneLoginDateTime } from './oneLoginDateTime';
import { decodeOpaqueCursor, encodeOpaqueCursor } from './opaqueCursor';
import type { EventDto } from '../upstream/dto';

/**
 * Where a subscriber of `eventAdded` stands in the live feed: after the event
 * with this OneLogin id (ids are assigned in increasing order), created at
 * `createdAtMs` when known. The feed resumes after it: from the feed itself
 * while it reaches back that far, from OneLogin (`since` the creation time,
 * less the overlap) otherwise.
 */
export interface FeedPosition {
  eventId: number;
  /** Undefined for an `events` edge cursor, which records only the id. */
  createdAtMs: number | undefined;
}

/**
 * `Event.liveCursor`: the opaque cursor of the live feed, base64url JSON
 * `{ v: 1, h: "live", i: <event id>, t: <created_at, epoch ms> }`. Like every
 * cursor of the gateway it carries a fingerprint (`h`), here the constant
 * `live`: it is not bound to a filter, since a position in the feed means the
 * same whatever a subscriber filters. It holds nothing secret.
 */
interface EncodedLiveCursor {
  v: 1;
  h: 'live';
  i: string;
  t: number;
}

const LIVE_KEY = 'live';
const CURSOR_OPTIONS = { maxLength: 512, isValid: isEncodedLiveCursor };

/** The live cursor of an event (null when its id or creation time cannot be read). */
export function encodeLiveCursor(event: EventDto): string | null {
  const id = String(event.id);
  const createdAtMs = createdAtMsOf(event);
  if (!/^\d{1,19}$/.test(id) || createdAtMs === undefined) return null;
  return encodeOpaqueCursor({ v: 1, h: LIVE_KEY, i: id, t: createdAtMs } as EncodedLiveCursor);
}

export type LiveCursorResult = { ok: true; position: FeedPosition } | { ok: false };

/**
 * Reads `after`: a live cursor (`Event.liveCursor`), or an edge cursor of any
 * `events` connection (its event id is the position; its filter and order do
 * not matter here). Anything else is refused.
 */
export function decodeLiveCursor(cursor: string): LiveCursorResult {
  const live = decodeOpaqueCursor(cursor, LIVE_KEY, CURSOR_OPTIONS);
  if (live.ok) {
    return { ok: true, position: { eventId: Number(live.value.i), createdAtMs: live.value.t } };
  }
  const edge = peekCursorPosition(cursor);
  if (edge) return { ok: true, position: { eventId: Number(edge.id), createdAtMs: undefined } };
  return { ok: false };
}

/** `created_at` as epoch ms, in any of OneLogin's forms; undefined when unreadable. */
export function createdAtMsOf(event: EventDto): number | undefined {
  const raw = event.created_at;
  if (typeof raw !== 'string' || raw === '') return undefined;
  let at = Date.parse(raw);
  if (Number.isNaN(at) || !raw.endsWith('Z')) at = parseOneLoginDateTime(raw)?.getTime() ?? NaN;
  return Number.isNaN(at) ? undefined : at;
}

function isEncodedLiveCursor(value: unknown): value is EncodedLiveCursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['v'] === 1 &&
    v['h'] === LIVE_KEY &&
    typeof v['i'] === 'string' &&
    /^\d{1,19}$/.test(v['i']) &&
    Number.isSafeInteger(v['t'])
  );
}
