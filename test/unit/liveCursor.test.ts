import { describe, expect, it } from '@jest/globals';

import { encodeCursor } from '../../src/domain/eventCursor';
import { decodeLiveCursor, encodeLiveCursor } from '../../src/domain/liveCursor';
import { connectionKey } from '../../src/domain/opaqueCursor';

describe('Event.liveCursor', () => {
  it('records the event id and creation time, and reads back', () => {
    const cursor = encodeLiveCursor({ id: 904257546, created_at: '2026-06-15T12:00:01.250Z' });
    expect(cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(JSON.parse(Buffer.from(cursor as string, 'base64url').toString('utf8'))).toEqual({
      v: 1,
      h: 'live',
      i: '904257546',
      t: Date.parse('2026-06-15T12:00:01.250Z'),
    });
    expect(decodeLiveCursor(cursor as string)).toEqual({
      ok: true,
      position: { eventId: 904257546, createdAtMs: Date.parse('2026-06-15T12:00:01.250Z') },
    });
  });

  it("reads OneLogin's other date forms, and is null without a readable created_at", () => {
    const cursor = encodeLiveCursor({ id: '7', created_at: '2017-12-05 19:13:06 UTC' });
    expect(decodeLiveCursor(cursor as string)).toEqual({
      ok: true,
      position: { eventId: 7, createdAtMs: Date.parse('2017-12-05T19:13:06Z') },
    });
    expect(encodeLiveCursor({ id: 7, created_at: 'yesterday' })).toBeNull();
    expect(encodeLiveCursor({ id: 7 })).toBeNull();
  });

  it('accepts an edge cursor of any events connection as the position of its event', () => {
    const edge = encodeCursor(connectionKey({ any: 'filter' }), {
      reversed: false,
      cursor: null,
      limit: 20,
      id: '812345678',
    });
    expect(decodeLiveCursor(edge)).toEqual({
      ok: true,
      position: { eventId: 812345678, createdAtMs: undefined },
    });
  });

  it('refuses anything else', () => {
    const foreign = Buffer.from(JSON.stringify({ v: 1, h: 'abc', i: 'x', t: 1 })).toString(
      'base64url',
    );
    for (const cursor of ['', 'not-a-cursor', foreign, 'a'.repeat(600)]) {
      expect(decodeLiveCursor(cursor)).toEqual({ ok: false });
    }
  });
});
