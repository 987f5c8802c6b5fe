import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const EVENTS = `#graphql
  query ($filter: EventFilter, $orderBy: EventOrder, $first: Int, $after: String, $last: Int, $before: String) {
    events(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      edges { cursor }
    }
  }
`;

describe('bad input', () => {
  let gateway: TestGateway;
  let cursorOfAllEvents: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { EVENTS_MAX_PAGE_SIZE: '300' } });
    const page = await gateway.execute<{ events: { edges: { cursor: string }[] } }>(EVENTS, {
      first: 1,
    });
    cursorOfAllEvents = page.data!.events.edges[0]!.cursor;
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a negative first',
      { first: -1 },
      'first',
      '`first` must be a whole number from 0 to 300 (got -1).',
    ],
    [
      'first above the maximum',
      { first: 301 },
      'first',
      '`first` must be a whole number from 0 to 300 (got 301).',
    ],
    [
      'last above the maximum',
      { last: 1000 },
      'last',
      '`last` must be a whole number from 0 to 300 (got 1000).',
    ],
    [
      'first and last together',
      { first: 1, last: 1 },
      'first',
      'Pass either `first` (page forwards) or `last` (page backwards), not both.',
    ],
    [
      'first with before',
      { first: 1, before: 'x' },
      'before',
      '`before` goes with `last`: page forwards with `first` and `after`, backwards with `last` and `before`.',
    ],
    [
      'last with after',
      { last: 1, after: 'x' },
      'after',
      '`after` goes with `first`: page forwards with `first` and `after`, backwards with `last` and `before`.',
    ],
    [
      'a cursor the gateway did not issue',
      { first: 5, after: 'not-a-cursor' },
      'after',
      '`after` is not a cursor of this connection: pass an edge `cursor`, `startCursor` or `endCursor` exactly as the gateway returned it.',
    ],
    [
      'an event type id that is not a number',
      { filter: { eventTypeIds: ['5', 'login'] } },
      'filter.eventTypeIds',
      '`filter.eventTypeIds` must be a OneLogin id: a whole number from 1 to 2147483647 (got "login").',
    ],
    [
      'no event type ids',
      { filter: { eventTypeIds: [] } },
      'filter.eventTypeIds',
      '`filter.eventTypeIds` must not be empty: omit it to include every event type.',
    ],
    [
      'a user id above what OneLogin accepts',
      { filter: { userId: '99999999999' } },
      'filter.userId',
      '`filter.userId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "99999999999").',
    ],
    [
      'until before since',
      { filter: { since: '2024-05-02T00:00:00Z', until: '2024-05-01T00:00:00Z' } },
      'filter.until',
      '`filter.until` (2024-05-01T00:00:00.000Z) must be after `filter.since` (2024-05-02T00:00:00.000Z).',
    ],
    [
      'a client id with control characters',
      { filter: { clientId: 'abc\ndef' } },
      'filter.clientId',
      '`filter.clientId` must be 1 to 200 characters without control characters.',
    ],
  ])('rejects %s before calling OneLogin', async (_name, variables, argument, message) => {
    const result = await gateway.execute(EVENTS, variables);
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message,
          locations: [{ line: 3, column: 5 }],
          path: ['events'],
          extensions: { code: 'BAD_USER_INPUT', argument },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('rejects a cursor reused with another filter, and says so', async () => {
    const result = await gateway.execute(EVENTS, {
      first: 5,
      after: cursorOfAllEvents,
      filter: { eventTypeIds: ['5'] },
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message:
          '`after` is a cursor from a different `filter` or `orderBy`: page with the same filter and order the cursor came from, or start again without `after`.',
        extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
      }),
    ]);
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('rejects a cursor reused with another order', async () => {
    const result = await gateway.execute(EVENTS, {
      first: 5,
      after: cursorOfAllEvents,
      orderBy: { field: 'ID', direction: 'ASC' },
    });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'after' });
  });

  it('rejects a date that is not a date-time, in a variable', async () => {
    const result = await gateway.execute(EVENTS, { filter: { since: 'yesterday' } });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          'Variable "$filter" got invalid value "yesterday" at "filter.since"',
        ),
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('rejects a date that is not a date-time, written in the query', async () => {
    const result = await gateway.execute(
      `query { events(filter: { since: "2024-13-45" }) { nodes { id } } }`,
    );
    expect(result).toEqual({
      errors: [
        {
          message: 'DateTime cannot represent an invalid date-time-string 2024-13-45.',
          locations: [{ line: 1, column: 33 }],
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each([
    [
      'event',
      `query { event(id: "abc") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "abc").',
    ],
    [
      'event',
      `query { event(id: "3000000000") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "3000000000").',
    ],
    [
      'eventType',
      `query { eventType(id: "-5") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "-5").',
    ],
  ])('rejects a malformed id for %s', async (field, query, argument, message) => {
    const result = await gateway.execute(query);
    expect(result).toEqual({
      data: { [field]: null },
      errors: [
        {
          message,
          locations: [{ line: 1, column: 9 }],
          path: [field],
          extensions: { code: 'BAD_USER_INPUT', argument },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('answers a request body that is not JSON with a 400', async () => {
    const response = await gateway.post('{"query": ');
    expect(response).toEqual({
      status: 400,
      text: JSON.stringify({
        errors: [
          { message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
        ],
      }),
    });
  });

  it('answers a request body over 1 MB with a 413', async () => {
    const response = await gateway.post({
      query: `{ events { nodes { id } } }`,
      padding: 'x'.repeat(1_100_000),
    });
    expect(response).toEqual({
      status: 413,
      text: JSON.stringify({
        errors: [
          {
            message: 'The request body exceeds 1048576 bytes',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      }),
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });
});
