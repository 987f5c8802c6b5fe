import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator } from '../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../src/simulator';
import { selectEvents } from './helpers/selectEvents';
import type { Selection } from './helpers/selectEvents';
import { FIXED_NOW, call, getEvents, getToken, postLegacyEvent } from './helpers/simulatorClient';
import type { EventsPage } from './helpers/simulatorClient';
import { walkBackward, walkForward } from './helpers/walkEvents';

const DAY = 86_400_000;

function badRequest(message: string) {
  return {
    status: 400,
    body: { status: { error: true, code: 400, type: 'bad request', message } },
  };
}

type WalkDescription = (
  events: ReadonlyArray<EventRecord>,
) => [query: string, selection: Selection];

/** The query of each walk and the selection it means, given the data set. */
const WALKS: Array<[string, WalkDescription]> = [
  ['every event in the default order', () => ['', { sort: '+id' }]],
  ['every event, newest first', () => ['sort=-id', { sort: '-id' }]],
  [
    'logins and failed logins by created_at',
    () => ['sort=%2Bcreated_at&event_type_id=5,6', { sort: '+created_at', eventTypeIds: [5, 6] }],
  ],
  [
    'a ten-day window, newest first',
    () => {
      const since = FIXED_NOW - 20 * DAY;
      const until = FIXED_NOW - 10 * DAY;
      return [
        `sort=-created_at&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`,
        { sort: '-created_at', since, until },
      ];
    },
  ],
  [
    "the busiest user's app launches, 7 a page",
    (events) => {
      const launches = new Map<number, number>();
      for (const event of events) {
        if (event.event_type_id === 8 && event.user_id !== null) {
          launches.set(event.user_id, (launches.get(event.user_id) ?? 0) + 1);
        }
      }
      const busiest = [...launches].sort((a, b) => b[1] - a[1])[0]?.[0] as number;
      return [
        `event_type_id=8&user_id=${busiest}&limit=7`,
        { sort: '+id', eventTypeIds: [8], userId: busiest },
      ];
    },
  ],
  [
    'one API client, newest first',
    (events) => {
      const client = events.find((event) => event.client_id !== null)?.client_id as string;
      return [`client_id=${client}&sort=-id`, { sort: '-id', clientId: client }];
    },
  ],
  [
    'one directory, 3 a page',
    (events) => {
      const directory = events.find((event) => event.directory_id !== null)?.directory_id as number;
      return [`directory_id=${directory}&limit=3`, { sort: '+id', directoryId: directory }];
    },
  ],
  [
    'risky logins judged unsafe',
    () => ['resolution=unsafe&sort=created_at', { sort: '+created_at', resolution: 'unsafe' }],
  ],
];

describe('GET /api/1/events paging', () => {
  let simulator: SimulatorHandle;
  let token: string;
  let events: ReadonlyArray<EventRecord>;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 3000, seed: 7 });
    token = await getToken(simulator);
    events = simulator.data.events().slice();
  });
  afterAll(() => simulator.close());

  const get = (query: string) =>
    call(simulator, `/api/1/events?${query}`, { headers: { Authorization: `Bearer ${token}` } });

  it('offers walks over several pages for every query below', () => {
    for (const [, describeWalk] of WALKS) {
      expect(selectEvents(events, describeWalk(events)[1]).length).toBeGreaterThan(3);
    }
  });

  it.each(WALKS)('forward walk visits %s exactly once, in order', async (_name, describeWalk) => {
    const [query, selection] = describeWalk(events);
    const walk = await walkForward(simulator, token, query);
    const limit = Number(/limit=(\d+)/.exec(query)?.[1] ?? 50);

    expect(walk.events).toEqual(selectEvents(events, selection));
    expect(walk.pages[0]?.pagination.before_cursor).toBeNull();
    expect(walk.pages[0]?.pagination.previous_link).toBeNull();
    expect(walk.pages.at(-1)?.pagination.after_cursor).toBeNull();
    expect(walk.pages.at(-1)?.pagination.next_link).toBeNull();
    for (const page of walk.pages.slice(0, -1)) expect(page.data).toHaveLength(limit);
  });

  it.each(WALKS)(
    'backward walk from the end visits %s exactly once',
    async (_name, describeWalk) => {
      const [query, selection] = describeWalk(events);
      const walk = await walkBackward(simulator, token, query);

      expect(walk.events).toEqual(selectEvents(events, selection));
      expect(walk.pages[0]?.pagination.before_cursor).toBeNull();
    },
  );

  it('next_link and previous_link, followed verbatim, lead to the neighbouring pages', async () => {
    const first = await getEvents(simulator, token, 'event_type_id=5&limit=20&sort=-created_at');
    const second = (
      await call(simulator, (first.pagination.next_link as string).replace(simulator.url, ''), {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).body as EventsPage;
    const back = (
      await call(
        simulator,
        (second.pagination.previous_link as string).replace(simulator.url, ''),
        { headers: { Authorization: `Bearer ${token}` } },
      )
    ).body as EventsPage;
    const expected = selectEvents(events, { eventTypeIds: [5], sort: '-created_at' });

    expect(first.pagination.next_link).toMatch(
      new RegExp(
        `^${simulator.url}/api/1/events\\?event_type_id=5&limit=20&sort=-created_at&after_cursor=`,
      ),
    );
    expect(second.data).toEqual(expected.slice(20, 40));
    expect(back).toEqual(first);
  });

  it('a before_cursor page ends right before the cursor, listed in the request order', async () => {
    const third = (await walkForward(simulator, token, 'sort=-id&limit=10')).pages[2] as EventsPage;
    const before = await getEvents(
      simulator,
      token,
      `sort=-id&limit=4&before_cursor=${encodeURIComponent(third.pagination.before_cursor as string)}`,
    );
    const descending = selectEvents(events, { sort: '-id' });

    expect(before.data).toEqual(descending.slice(16, 20));
    expect(before.pagination.after_cursor).not.toBeNull();
  });

  it('answers an empty page with both cursors null', async () => {
    expect(await getEvents(simulator, token, 'user_id=1')).toEqual({
      status: { error: false, code: 200, type: 'success', message: 'Success' },
      pagination: { before_cursor: null, after_cursor: null, previous_link: null, next_link: null },
      data: [],
    });
  });

  it('accepts the repeated event_type_id form as well as the comma list', async () => {
    const repeated = await getEvents(simulator, token, 'event_type_id=7&event_type_id=29');
    const comma = await getEvents(simulator, token, 'event_type_id=7,29');

    expect(repeated.data).toEqual(comma.data);
    expect(comma.data).toEqual(
      selectEvents(events, { eventTypeIds: [7, 29], sort: '+id' }).slice(0, 50),
    );
  });

  it('reads since and until as OneLogin documents them: whole seconds, both exclusive; created_at exact', async () => {
    const event = events[1500] as EventRecord;
    const at = event.created_at;
    const second = (e: EventRecord) => Math.floor(Date.parse(e.created_at) / 1000);

    const since = await getEvents(simulator, token, `since=${at}&sort=%2Bid&limit=1`);
    const until = await getEvents(simulator, token, `until=${at}&sort=-id&limit=1`);
    const exact = await getEvents(simulator, token, `created_at=${at}`);

    expect(since.data[0]?.id).toBe(events.find((e) => second(e) > second(event))?.id);
    expect(until.data[0]?.id).toBe(
      [...events].reverse().find((e) => second(e) < second(event))?.id,
    );
    expect(exact.data).toEqual([event]);
  });

  it.each([
    [
      { precision: 'millisecond', bounds: 'exclusive' },
      (e: number, b: number) => e > b,
      (e: number, b: number) => e < b,
    ],
    [
      { precision: 'millisecond', bounds: 'inclusive' },
      (e: number, b: number) => e >= b,
      (e: number, b: number) => e <= b,
    ],
    [
      { precision: 'second', bounds: 'inclusive' },
      (e: number, b: number) => Math.floor(e / 1000) >= Math.floor(b / 1000),
      (e: number, b: number) => Math.floor(e / 1000) <= Math.floor(b / 1000),
    ],
  ] as const)('reads since and until as %j when told to', async (eventWindow, after, before) => {
    const other = await startSimulator({ now: FIXED_NOW, eventCount: 300, eventWindow });
    try {
      const otherToken = await getToken(other);
      const all = other.data.events();
      const since = Date.parse(all[100]!.created_at);
      const until = Date.parse(all[140]!.created_at);
      const page = await getEvents(
        other,
        otherToken,
        `since=${all[100]!.created_at}&until=${all[140]!.created_at}&sort=%2Bid&limit=50`,
      );
      const expected = all
        .filter(
          (e) => after(Date.parse(e.created_at), since) && before(Date.parse(e.created_at), until),
        )
        .map((e) => e.id)
        .sort((x, y) => x - y);
      expect(page.data.map((e) => e.id)).toEqual(expected);
    } finally {
      await other.close();
    }
  });

  it.each([
    ['2025-05-20T10:00:00Z', '2025-05-20T10:00:00.000Z'],
    ['2025-05-20T10:00:00.000Z', '2025-05-20T10:00:00.000Z'],
    ['2025-05-20T03:00:00-07:00', '2025-05-20T10:00:00.000Z'],
    ['2025-05-20T12:00:00%2B02:00', '2025-05-20T10:00:00.000Z'],
    ['2025-05-20T12:00:00+02:00', '2025-05-20T10:00:00.000Z'],
    ['2025-05-20', '2025-05-20T00:00:00.000Z'],
  ])('reads since=%s as %s', async (raw, instant) => {
    const page = await getEvents(simulator, token, `since=${raw}`);

    expect(page.data).toEqual(
      selectEvents(events, { since: Date.parse(instant), sort: '+id' }).slice(0, 50),
    );
  });

  it('clamps limit to 50', async () => {
    expect((await getEvents(simulator, token, 'limit=1000')).data).toHaveLength(50);
  });

  it('ignores unknown names in fields and always returns id', async () => {
    const page = await getEvents(simulator, token, 'fields=bogus,ipaddr&limit=2');

    expect(page.data).toEqual(events.slice(0, 2).map(({ id, ipaddr }) => ({ id, ipaddr })));
  });

  it.each([
    ['limit=0', 'limit must be a positive integer'],
    ['limit=-5', 'limit must be a positive integer'],
    ['limit=ten', 'limit must be a positive integer'],
    ['sort=name', 'Invalid sort field: name'],
    ['sort=%2B%2Bid', 'Invalid sort field: ++id'],
    ['id=2147483648', 'Integer value must be <= 2147483647'],
    ['user_id=99999999999', 'Integer value must be <= 2147483647'],
    ['directory_id=2147483648', 'Integer value must be <= 2147483647'],
    ['event_type_id=5,2147483648', 'Integer value must be <= 2147483647'],
    ['client_id=2147483648', 'Integer value must be <= 2147483647'],
    ['user_id=abc', 'user_id must be an integer'],
    ['event_type_id=5,x', 'event_type_id must be an integer'],
    ['since=yesterday', 'since must be an ISO-8601 date-time such as 2018-11-01T19:44:55.000Z'],
    [
      'until=2025-13-01T00:00:00Z',
      'until must be an ISO-8601 date-time such as 2018-11-01T19:44:55.000Z',
    ],
    [
      'created_at=2025-02-30T00:00:00Z',
      'created_at must be an ISO-8601 date-time such as 2018-11-01T19:44:55.000Z',
    ],
  ])('answers ?%s with 400 "%s"', async (query, message) => {
    const answer = await get(query);

    expect({ status: answer.status, body: answer.body }).toEqual(badRequest(message));
  });

  describe('cursors', () => {
    it('refuses a malformed cursor, the live sample cursor and a truncated one', async () => {
      const good = (await getEvents(simulator, token, 'limit=5')).pagination.after_cursor as string;
      for (const cursor of [
        'abc',
        '!!!',
        'xWNjb3VudF9pZDo6OjUzNDEzLS0jI2lkOjo6OTA0MjU3NTQ2',
        good.slice(0, 40),
        Buffer.from('account_id:::53413--##id:::904257546').toString('base64'),
      ]) {
        const answer = await get(`after_cursor=${encodeURIComponent(cursor)}`);
        expect({ status: answer.status, body: answer.body }).toEqual(
          badRequest('Invalid pagination cursor'),
        );
      }
    });

    it('refuses a cursor made for another sort', async () => {
      const cursor = (await getEvents(simulator, token, 'sort=-id&limit=5')).pagination
        .after_cursor as string;
      const answer = await get(`sort=+id&after_cursor=${encodeURIComponent(cursor)}`);

      expect({ status: answer.status, body: answer.body }).toEqual(
        badRequest('Invalid pagination cursor'),
      );
    });

    it('refuses a cursor from another account', async () => {
      const other = await startSimulator({ now: FIXED_NOW, eventCount: 100, accountId: 777 });
      try {
        const cursor = (await getEvents(other, await getToken(other), 'limit=5')).pagination
          .after_cursor as string;
        const answer = await get(`after_cursor=${encodeURIComponent(cursor)}`);

        expect({ status: answer.status, body: answer.body }).toEqual(
          badRequest('Invalid pagination cursor'),
        );
      } finally {
        await other.close();
      }
    });

    it('refuses both cursors at once', async () => {
      const page = await getEvents(simulator, token, 'limit=5');
      const second = await getEvents(
        simulator,
        token,
        `limit=5&after_cursor=${encodeURIComponent(page.pagination.after_cursor as string)}`,
      );
      const answer = await get(
        `after_cursor=${encodeURIComponent(second.pagination.after_cursor as string)}&before_cursor=${encodeURIComponent(second.pagination.before_cursor as string)}`,
      );

      expect({ status: answer.status, body: answer.body }).toEqual(
        badRequest('Use either after_cursor or before_cursor, not both'),
      );
    });

    it('hands out cursors of letters and digits only, safe in a URL unencoded', async () => {
      const walk = await walkForward(simulator, token, 'sort=-created_at&limit=50');
      const cursors = walk.pages.flatMap((page) => [
        page.pagination.before_cursor,
        page.pagination.after_cursor,
      ]);

      expect(cursors.filter((cursor) => cursor !== null && !/^[A-Za-z0-9]+$/.test(cursor))).toEqual(
        [],
      );
    });
  });
});

describe('GET /api/1/events paging while events are created', () => {
  let simulator: SimulatorHandle;
  let token: string;

  beforeAll(async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 1500, seed: 11 });
    token = await getToken(simulator);
  });
  afterAll(() => simulator.close());

  const createSome = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      const answer = await postLegacyEvent(
        simulator,
        '<event><event-type-id>5</event-type-id><user-name>New Person</user-name></event>',
      );
      expect(answer.status).toBe(201);
    }
  };

  it.each([['sort=%2Bid'], ['sort=%2Bcreated_at&event_type_id=5'], ['']])(
    'forward walk (%s) visits every event once, the ones created meanwhile included',
    async (query) => {
      const before = simulator.data.events().length;
      const walk = await walkForward(simulator, token, query, createSome);
      const ids = walk.events.map((event) => event.id);
      const selection: Selection = query.includes('event_type_id')
        ? { sort: '+created_at', eventTypeIds: [5] }
        : { sort: '+id' };

      expect(simulator.data.events().length).toBe(before + 3 * (walk.pages.length - 1));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(
        selectEvents(simulator.data.events(), selection)
          .slice(0, ids.length)
          .map((event) => event.id),
      );
      expect(ids.slice(-3)).toEqual(
        simulator.data
          .events()
          .slice(-3)
          .map((event) => event.id),
      );
    },
  );

  it('a newest-first walk visits exactly the events that existed when it started', async () => {
    const existing = selectEvents(simulator.data.events(), { sort: '-id' });
    const walk = await walkForward(simulator, token, 'sort=-id', createSome);

    expect(walk.events.map((event) => event.id)).toEqual(existing.map((event) => event.id));
  });
});
