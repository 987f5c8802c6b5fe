import { describe, expect, it } from '@jest/globals';

import { coldCheckpoint } from '../../src/live/FeedBackend';
import { advance } from '../../src/live/LiveFeed';

const at = (iso: string) => Date.parse(iso);
const event = (id: number, createdAt: string) => ({ id, created_at: createdAt });

describe('advance: what one poll publishes, and the checkpoint after it', () => {
  const start = coldCheckpoint(at('2026-06-15T12:00:00.000Z'));

  it('publishes the new events in id order and moves to the newest creation time', () => {
    const { fresh, next } = advance(
      start,
      {
        events: [event(12, '2026-06-15T12:00:02.000Z'), event(11, '2026-06-15T12:00:01.000Z')],
        afterCursor: null,
        sinceMs: start.floorMs,
      },
      at('2026-06-15T12:00:03.000Z'),
      60_000,
    );
    expect(fresh.map((e) => e.id)).toEqual([11, 12]);
    expect(next).toEqual({
      floorMs: start.floorMs,
      newestCreatedAtMs: at('2026-06-15T12:00:02.000Z'),
      seen: [
        [11, at('2026-06-15T12:00:01.000Z')],
        [12, at('2026-06-15T12:00:02.000Z')],
      ],
      polledAtMs: at('2026-06-15T12:00:03.000Z'),
      walk: null,
    });
  });

  it('drops events seen before (the overlap asks again), keeps a late one, and forgets ids past the overlap', () => {
    const first = advance(
      start,
      {
        events: [event(11, '2026-06-15T12:00:01.000Z')],
        afterCursor: null,
        sinceMs: start.floorMs,
      },
      at('2026-06-15T12:00:02.000Z'),
      60_000,
    );
    const second = advance(
      first.next,
      {
        events: [
          event(11, '2026-06-15T12:00:01.000Z'),
          // Listed late: created before the newest seen, but new.
          event(13, '2026-06-15T12:00:00.500Z'),
          event(14, '2026-06-15T12:02:00.000Z'),
        ],
        afterCursor: 'page-2',
        sinceMs: at('2026-06-15T12:00:00.000Z'),
      },
      at('2026-06-15T12:02:01.000Z'),
      60_000,
    );
    expect(second.fresh.map((e) => e.id)).toEqual([13, 14]);
    // Only the ids within a minute of the newest (12:02:00) are kept.
    expect(second.next.seen).toEqual([[14, at('2026-06-15T12:02:00.000Z')]]);
    // More to read: the next poll goes on from OneLogin's cursor, with the same `since`.
    expect(second.next.walk).toEqual({
      sinceMs: at('2026-06-15T12:00:00.000Z'),
      afterCursor: 'page-2',
    });
  });

  it('never publishes events created before the feed started', () => {
    const { fresh, next } = advance(
      start,
      {
        events: [event(9, '2026-06-15T11:59:59.999Z'), event(10, '2026-06-15T12:00:00.000Z')],
        afterCursor: null,
        sinceMs: start.floorMs,
      },
      at('2026-06-15T12:00:01.000Z'),
      60_000,
    );
    expect(fresh.map((e) => e.id)).toEqual([10]);
    expect(next.seen.map(([id]) => id)).toEqual([9, 10]);
  });
});
