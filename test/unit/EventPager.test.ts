import { describe, expect, it } from '@jest/globals';

import type { FetchPage, UpstreamPage, UpstreamPageRequest } from '../../src/domain/EventPager';
import { CursorNotFoundError, walkEvents } from '../../src/domain/EventPager';

/**
 * A keyset-paged list with OneLogin's cursor semantics: `after` returns the
 * events right after the token's key, `before` the events right before it,
 * both in the request's order; page cursors are null at the ends.
 */
function keysetUpstream(initialIds: number[]) {
  const ids = [...initialIds];
  const requests: UpstreamPageRequest[] = [];
  const fetchPage: FetchPage = async (request) => {
    requests.push(request);
    const list = request.reversed ? [...ids].sort((a, b) => b - a) : [...ids].sort((a, b) => a - b);
    const isAfter = (id: number, key: number) => (request.reversed ? id < key : id > key);
    let page: number[];
    if (!request.cursor) {
      page = list.slice(0, request.limit);
    } else {
      const key = Number(request.cursor.token.slice(2));
      if (request.cursor.kind === 'after') {
        page = list.filter((id) => isAfter(id, key)).slice(0, request.limit);
      } else {
        const before = list.filter((id) => isAfter(key, id));
        page = before.slice(Math.max(0, before.length - request.limit));
      }
    }
    const first = page[0];
    const last = page[page.length - 1];
    const result: UpstreamPage = {
      items: page.map((id) => ({ id })),
      afterCursor: last !== undefined && list.some((id) => isAfter(id, last)) ? `k:${last}` : null,
      beforeCursor:
        first !== undefined && list.some((id) => isAfter(first, id)) ? `k:${first}` : null,
    };
    return result;
  };
  return { ids, requests, fetchPage };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const idsOf = (result: { events: { event: { id: number | string } }[] }) =>
  result.events.map((e) => Number(e.event.id));

describe('walkEvents', () => {
  it('reads the first page with one request of exactly the page size', async () => {
    const upstream = keysetUpstream(range(1, 120));
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      20,
    );
    expect(idsOf(result)).toEqual(range(1, 20));
    expect(result.hasMore).toBe(true);
    expect(upstream.requests).toEqual([{ reversed: false, cursor: null, limit: 20 }]);
  });

  it("pages on from a page's last event with exactly one request", async () => {
    const upstream = keysetUpstream(range(1, 120));
    const first = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      20,
    );
    const end = first.events[19]!.position;
    expect(end.after).toBe('k:20');
    upstream.requests.length = 0;
    const second = await walkEvents(
      upstream.fetchPage,
      { kind: 'position', position: end },
      'forward',
      20,
    );
    expect(idsOf(second)).toEqual(range(21, 40));
    expect(upstream.requests).toEqual([
      { reversed: false, cursor: { kind: 'after', token: 'k:20' }, limit: 20 },
    ]);
  });

  it('splits a large page into upstream pages of at most 50', async () => {
    const upstream = keysetUpstream(range(1, 200));
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      120,
    );
    expect(idsOf(result)).toEqual(range(1, 120));
    expect(upstream.requests.map((r) => r.limit)).toEqual([50, 50, 20]);
  });

  it('resumes from any event in the middle of a page with exactly the following events', async () => {
    const upstream = keysetUpstream(range(1, 60));
    const page = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      25,
    );
    for (const [index, { position }] of page.events.entries()) {
      const next = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position },
        'forward',
        10,
      );
      expect(idsOf(next)).toEqual(range(index + 2, Math.min(index + 11, 60)));
    }
  });

  it('walks backwards from an event, nearest first', async () => {
    const upstream = keysetUpstream(range(1, 60));
    const page = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      30,
    );
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'position', position: page.events[24]!.position },
      'backward',
      30,
    );
    expect(idsOf(result)).toEqual(range(1, 24).reverse());
    expect(result.hasMore).toBe(false);
  });

  it('visits every event exactly once walking the reversed order to the end', async () => {
    const upstream = keysetUpstream(range(1, 137));
    const seen: number[] = [];
    let result = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: true },
      'forward',
      30,
    );
    seen.push(...idsOf(result));
    while (result.hasMore) {
      const last = result.events[result.events.length - 1]!.position;
      result = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: last },
        'forward',
        30,
      );
      seen.push(...idsOf(result));
    }
    expect(seen).toEqual(range(1, 137).reverse());
  });

  it('finds its event again after newer events pushed it off the first page', async () => {
    const upstream = keysetUpstream(range(1, 100));
    const page = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: true },
      'forward',
      10,
    );
    const fifth = page.events[4]!.position; // id 96, first page of the newest-first order
    upstream.ids.push(...range(101, 115)); // 15 new events arrive at the head
    const next = await walkEvents(
      upstream.fetchPage,
      { kind: 'position', position: fifth },
      'forward',
      5,
    );
    expect(idsOf(next)).toEqual([95, 94, 93, 92, 91]);
  });

  it('gives up on an event that is nowhere near its page', async () => {
    const upstream = keysetUpstream(range(1, 10));
    await expect(
      walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: { reversed: false, cursor: null, limit: 5, id: '999' } },
        'forward',
        5,
      ),
    ).rejects.toBeInstanceOf(CursorNotFoundError);
  });

  it('reports the end of the list exactly', async () => {
    const upstream = keysetUpstream(range(1, 40));
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      40,
    );
    expect(idsOf(result)).toEqual(range(1, 40));
    expect(result.hasMore).toBe(false);
    expect(result.events[39]!.position.after).toBeUndefined();
  });
});

describe('walkEvents from the ends of a page', () => {
  it('finds nothing before the first event of the list', async () => {
    const upstream = keysetUpstream(range(1, 30));
    const page = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      10,
    );
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'position', position: page.events[0]!.position },
      'backward',
      5,
    );
    expect(result).toEqual({ events: [], hasMore: false });
  });

  it('continues on the next page after the last event of a page that has no after cursor recorded', async () => {
    const upstream = keysetUpstream(range(1, 30));
    const page = await walkEvents(
      upstream.fetchPage,
      { kind: 'beginning', reversed: false },
      'forward',
      10,
    );
    const { after: _after, ...withoutShortcut } = page.events[9]!.position;
    const result = await walkEvents(
      upstream.fetchPage,
      { kind: 'position', position: withoutShortcut },
      'forward',
      3,
    );
    expect(idsOf(result)).toEqual([11, 12, 13]);
  });

  describe('with events the connection does not accept (outside its exact time window)', () => {
    it('skips them and still returns `count` events, reading the next page for the rest', async () => {
      const upstream = keysetUpstream(range(1, 120));
      const result = await walkEvents(
        upstream.fetchPage,
        { kind: 'beginning', reversed: false },
        'forward',
        20,
        (event) => Number(event.id) >= 4,
      );
      expect(idsOf(result)).toEqual(range(4, 23));
      expect(result.hasMore).toBe(true);
      expect(upstream.requests).toEqual([
        { reversed: false, cursor: null, limit: 20 },
        { reversed: false, cursor: { kind: 'after', token: 'k:20' }, limit: 3 },
      ]);
    });

    it('costs one call when none is on the page', async () => {
      const upstream = keysetUpstream(range(1, 120));
      const result = await walkEvents(
        upstream.fetchPage,
        { kind: 'beginning', reversed: false },
        'forward',
        20,
        (event) => Number(event.id) <= 100,
      );
      expect(idsOf(result)).toEqual(range(1, 20));
      expect(upstream.requests).toHaveLength(1);
    });

    it("gives the page's cursor to the last accepted event of a page, so resuming from it costs one call", async () => {
      const upstream = keysetUpstream(range(1, 30));
      const accept = (event: { id: number | string }) => Number(event.id) !== 10;
      const first = await walkEvents(
        upstream.fetchPage,
        { kind: 'beginning', reversed: false },
        'forward',
        10,
        accept,
      );
      expect(idsOf(first)).toEqual([...range(1, 9), 11]);
      const nine = first.events[8]!.position;
      expect(nine.after).toBe('k:10');
      upstream.requests.length = 0;
      const resumed = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: nine },
        'forward',
        3,
        accept,
      );
      expect(idsOf(resumed)).toEqual([11, 12, 13]);
      expect(upstream.requests).toEqual([
        { reversed: false, cursor: { kind: 'after', token: 'k:10' }, limit: 3 },
      ]);
    });

    it('does the same walking backwards', async () => {
      const upstream = keysetUpstream(range(1, 30));
      const accept = (event: { id: number | string }) => Number(event.id) !== 11;
      const first = await walkEvents(
        upstream.fetchPage,
        { kind: 'beginning', reversed: false },
        'forward',
        10,
      );
      const second = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: first.events[9]!.position },
        'forward',
        10,
        accept,
      );
      expect(idsOf(second)).toEqual(range(12, 21));
      const twelve = second.events[0]!.position;
      expect(twelve.before).toBe('k:11');
      upstream.requests.length = 0;
      const back = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: twelve },
        'backward',
        2,
        accept,
      );
      expect(idsOf(back)).toEqual([10, 9]);
      expect(upstream.requests).toEqual([
        { reversed: false, cursor: { kind: 'before', token: 'k:11' }, limit: 2 },
      ]);
    });

    it('reports no more events when only skipped ones are left', async () => {
      const upstream = keysetUpstream(range(1, 5));
      const accept = (event: { id: number | string }) => Number(event.id) <= 4;
      const page = await walkEvents(
        upstream.fetchPage,
        { kind: 'beginning', reversed: false },
        'forward',
        5,
        accept,
      );
      expect(idsOf(page)).toEqual([1, 2, 3, 4]);
      expect(page.hasMore).toBe(false);
      const resumed = await walkEvents(
        upstream.fetchPage,
        { kind: 'position', position: { ...page.events[1]!.position } },
        'forward',
        2,
        accept,
      );
      expect(idsOf(resumed)).toEqual([3, 4]);
      expect(resumed.hasMore).toBe(false);
    });
  });
});
