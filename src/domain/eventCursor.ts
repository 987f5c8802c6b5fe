import { decodeOpaqueCursor, encodeOpaqueCursor, readOpaqueCursor } from './opaqueCursor';

/** An upstream cursor parameter: `after_cursor=token` or `before_cursor=token`. */
export interface UpstreamCursor {
  kind: 'after' | 'before';
  token: string;
}

/**
 * Where an event sits in OneLogin's paging, recorded in its edge cursor: the
 * upstream request that returned it (sort reversed or not, cursor, limit) and
 * its id; plus OneLogin's own `after_cursor` when it was the last event of that
 * page and `before_cursor` when it was the first, so that paging on from a page
 * end costs exactly one upstream call.
 */
export interface EventPosition {
  /** The request listed events in the reverse of the connection's order. */
  reversed: boolean;
  cursor: UpstreamCursor | null;
  limit: number;
  id: string;
  after?: string;
  before?: string;
}

interface EncodedCursor {
  v: 1;
  /** Hash of the filter and order the cursor belongs to. */
  h: string;
  r: 0 | 1;
  c: ['a' | 'b', string] | null;
  l: number;
  i: string;
  a?: string;
  b?: string;
}

export function encodeCursor(key: string, position: EventPosition): string {
  const encoded: EncodedCursor = {
    v: 1,
    h: key,
    r: position.reversed ? 1 : 0,
    c: position.cursor
      ? [position.cursor.kind === 'after' ? 'a' : 'b', position.cursor.token]
      : null,
    l: position.limit,
    i: position.id,
    ...(position.after !== undefined ? { a: position.after } : {}),
    ...(position.before !== undefined ? { b: position.before } : {}),
  };
  return encodeOpaqueCursor(encoded);
}

export type DecodeResult =
  { ok: true; position: EventPosition } | { ok: false; reason: 'malformed' | 'other-connection' };

/** Reads an edge cursor; rejects anything this gateway did not issue for `key`. */
export function decodeCursor(key: string, cursor: string): DecodeResult {
  const decoded = decodeOpaqueCursor(cursor, key, CURSOR_OPTIONS);
  return decoded.ok ? { ok: true, position: positionOf(decoded.value) } : decoded;
}

/**
 * The position an edge cursor of any `events` connection records (undefined
 * when it is not one), without checking which connection it belongs to: for
 * estimates only (see server/operationCost.ts); paging uses `decodeCursor`.
 */
export function peekCursorPosition(cursor: string): EventPosition | undefined {
  const value = readOpaqueCursor(cursor, CURSOR_OPTIONS);
  return value && positionOf(value);
}

const CURSOR_OPTIONS = { maxLength: 4096, isValid: isEncodedCursor };

function positionOf(value: EncodedCursor): EventPosition {
  return {
    reversed: value.r === 1,
    cursor: value.c ? { kind: value.c[0] === 'a' ? 'after' : 'before', token: value.c[1] } : null,
    limit: value.l,
    id: value.i,
    ...(value.a !== undefined ? { after: value.a } : {}),
    ...(value.b !== undefined ? { before: value.b } : {}),
  };
}

function isEncodedCursor(value: unknown): value is EncodedCursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const token = (t: unknown) => typeof t === 'string' && t.length > 0 && t.length < 1024;
  return (
    v['v'] === 1 &&
    typeof v['h'] === 'string' &&
    (v['r'] === 0 || v['r'] === 1) &&
    (v['c'] === null ||
      (Array.isArray(v['c']) &&
        v['c'].length === 2 &&
        (v['c'][0] === 'a' || v['c'][0] === 'b') &&
        token(v['c'][1]))) &&
    Number.isInteger(v['l']) &&
    (v['l'] as number) >= 1 &&
    (v['l'] as number) <= 50 &&
    typeof v['i'] === 'string' &&
    /^\d{1,19}$/.test(v['i']) &&
    (v['a'] === undefined || token(v['a'])) &&
    (v['b'] === undefined || token(v['b']))
  );
}
