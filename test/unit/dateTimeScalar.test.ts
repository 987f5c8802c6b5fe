import { describe, expect, it } from '@jest/globals';
import { DateTimeResolver } from 'graphql-scalars';

import { isCanonicalUtcDateTime, scalars } from '../../src/scalars';

/** What a response says for `value`: its JSON, or the error's message. */
function written(serialize: (value: unknown) => unknown, value: unknown): string {
  try {
    return JSON.stringify(serialize(value));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe('DateTime', () => {
  const values: unknown[] = [
    '2025-12-31T23:59:36.744Z',
    '2026-01-01T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2024-02-29T12:00:00.000Z',
    '2000-02-29T12:00:00.000Z',
    '1900-02-29T12:00:00.000Z',
    '2100-02-29T12:00:00.000Z',
    '2023-02-29T12:00:00.000Z',
    '2023-02-28T12:00:00.000Z',
    '2023-02-30T12:00:00.000Z',
    '2023-04-30T12:00:00.000Z',
    '2023-04-31T12:00:00.000Z',
    '2023-05-31T12:00:00.000Z',
    '2023-11-31T12:00:00.000Z',
    '2023-12-31T12:00:00.000Z',
    '2023-13-01T12:00:00.000Z',
    '2023-00-01T12:00:00.000Z',
    '2023-01-00T12:00:00.000Z',
    '2023-01-32T12:00:00.000Z',
    '2023-01-01T24:00:00.000Z',
    '2023-01-01T23:60:00.000Z',
    '2023-12-31T23:59:60.000Z',
    '2023-01-01T12:00:00Z',
    '2023-01-01T12:00:00.5Z',
    '2023-01-01T12:00:00.123456Z',
    '2023-01-01T12:00:00.000z',
    '2023-01-01t12:00:00.000Z',
    '2023-01-01T12:00:00.000+01:00',
    '2023-01-01T12:00:00.000-00:00',
    '2023-01-01 12:00:00.000Z',
    '+02023-01-01T12:00:00.000Z',
    'yesterday',
    '',
    0,
    1767225600000,
    new Date('2026-01-01T00:00:00Z'),
    null,
    true,
  ];

  it.each(values.map((value) => [value]))('writes %j as graphql-scalars does', (value) => {
    expect(written((v) => scalars.DateTime.serialize(v), value)).toBe(
      written((v) => DateTimeResolver.serialize(v), value),
    );
  });

  it('passes the canonical form through as it is', () => {
    expect(isCanonicalUtcDateTime('2025-12-31T23:59:36.744Z')).toBe(true);
    expect(scalars.DateTime.serialize('2025-12-31T23:59:36.744Z')).toBe('2025-12-31T23:59:36.744Z');
    expect(isCanonicalUtcDateTime('2023-02-29T12:00:00.000Z')).toBe(false);
    expect(isCanonicalUtcDateTime('2023-01-01T12:00:00Z')).toBe(false);
  });

  it('writes every day of four years as graphql-scalars does', () => {
    for (let ms = Date.UTC(1999, 0, 1); ms < Date.UTC(2003, 0, 2); ms += 86_400_000 + 3_723_001) {
      const value = new Date(ms).toISOString();
      expect(isCanonicalUtcDateTime(value)).toBe(true);
      expect(written((v) => scalars.DateTime.serialize(v), value)).toBe(
        written((v) => DateTimeResolver.serialize(v), value),
      );
    }
    // Day 29 to 32 of every month, valid or not.
    for (const year of [1900, 2000, 2023, 2024]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 29; day <= 32; day++) {
          const value = `${year}-${String(month).padStart(2, '0')}-${day}T00:00:00.000Z`;
          expect(written((v) => scalars.DateTime.serialize(v), value)).toBe(
            written((v) => DateTimeResolver.serialize(v), value),
          );
        }
      }
    }
  });
});
