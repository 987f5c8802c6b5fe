import { createHash } from 'node:crypto';

/**
 * Opaque cursors, shared by every connection: base64url JSON that carries the
 * fingerprint (`h`) of the connection it belongs to, so a cursor only works
 * with the filter, order or range it came from. Each connection defines what
 * else its cursor holds and how to check it.
 */

/** A short, stable fingerprint of a connection's filter and order (or range). */
export function connectionKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export function encodeOpaqueCursor(value: { h: string }): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export type OpaqueCursorResult<T> =
  { ok: true; value: T } | { ok: false; reason: 'malformed' | 'other-connection' };

export interface OpaqueCursorOptions<T> {
  maxLength: number;
  isValid: (value: unknown) => value is T;
}

/**
 * Reads a cursor this gateway issued for the connection `key`: anything longer
 * than `maxLength`, not base64url JSON, or refused by `isValid` is malformed;
 * a well-formed cursor of another connection is `other-connection`.
 */
export function decodeOpaqueCursor<T extends { h: string }>(
  cursor: string,
  key: string,
  options: OpaqueCursorOptions<T>,
): OpaqueCursorResult<T> {
  const value = readOpaqueCursor(cursor, options);
  if (value === undefined) return { ok: false, reason: 'malformed' };
  if (value.h !== key) return { ok: false, reason: 'other-connection' };
  return { ok: true, value };
}

/**
 * A well-formed cursor's value whatever connection it belongs to (undefined when
 * malformed), for a look at it that decides nothing about the connection.
 */
export function readOpaqueCursor<T extends { h: string }>(
  cursor: string,
  options: OpaqueCursorOptions<T>,
): T | undefined {
  if (cursor.length > options.maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return options.isValid(value) ? value : undefined;
}
