import { decodeOpaqueCursor, encodeOpaqueCursor } from './opaqueCursor';

/**
 * Edge cursors of `Query.failedProvisionings`: the item's offset in the range's
 * list (oldest first) and a fingerprint of the range, so that a cursor only
 * works with the range it came from. Opaque to clients (base64url JSON).
 */
interface EncodedCursor {
  v: 1;
  /** Marks a failed-provisioning cursor, so an `events` cursor is refused as malformed. */
  t: 'fp';
  /** The range fingerprint (`connectionKey` of the range). */
  h: string;
  /** Offset in the range's list, from 0. */
  o: number;
}

/** Far above any range OneLogin could return in one answer. */
const MAX_OFFSET = 10_000_000;

export function encodeFailedProvisioningCursor(key: string, offset: number): string {
  const encoded: EncodedCursor = { v: 1, t: 'fp', h: key, o: offset };
  return encodeOpaqueCursor(encoded);
}

export type FailedProvisioningCursorResult =
  { ok: true; offset: number } | { ok: false; reason: 'malformed' | 'other-connection' };

/** Reads an edge cursor; rejects anything this gateway did not issue for the range `key`. */
export function decodeFailedProvisioningCursor(
  key: string,
  cursor: string,
): FailedProvisioningCursorResult {
  const decoded = decodeOpaqueCursor(cursor, key, { maxLength: 200, isValid: isEncodedCursor });
  return decoded.ok ? { ok: true, offset: decoded.value.o } : decoded;
}

function isEncodedCursor(value: unknown): value is EncodedCursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['v'] === 1 &&
    v['t'] === 'fp' &&
    typeof v['h'] === 'string' &&
    Number.isInteger(v['o']) &&
    (v['o'] as number) >= 0 &&
    (v['o'] as number) <= MAX_OFFSET
  );
}
