import { createHash } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
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

  // The last column is the calls the estimate gives the operation: none when there is no page to
  // estimate (the paging arguments are refused), one page otherwise; nothing is called either way.
  it.each<[string, Record<string, unknown>, string, string, number]>([
    [
      'a negative first',
      { first: -1 },
      'first',
      '`first` must be a whole number from 0 to 300 (got -1).',
      0,
    ],
    [
      'first above the maximum',
      { first: 301 },
      'first',
      '`first` must be a whole number from 0 to 300 (got 301).',
      0,
    ],
    [
      'last above the maximum',
      { last: 1000 },
      'last',
      '`last` must be a whole number from 0 to 300 (got 1000).',
      0,
    ],
    [
      'first and last together',
      { first: 1, last: 1 },
      'first',
      'Pass either `first` (page forwards) or `last` (page backwards), not both.',
      0,
    ],
    [
      'first with before',
      { first: 1, before: 'x' },
      'before',
      '`before` goes with `last`: page forwards with `first` and `after`, backwards with `last` and `before`.',
      0,
    ],
    [
      'last with after',
      { last: 1, after: 'x' },
      'after',
      '`after` goes with `first`: page forwards with `first` and `after`, backwards with `last` and `before`.',
      0,
    ],
    [
      'a cursor the gateway did not issue',
      { first: 5, after: 'not-a-cursor' },
      'after',
      '`after` is not a cursor of this connection: pass an edge `cursor`, `startCursor` or `endCursor` exactly as the gateway returned it.',
      1,
    ],
    [
      'an event type id that is not a number',
      { filter: { eventTypeIds: ['5', 'login'] } },
      'filter.eventTypeIds',
      '`filter.eventTypeIds` must be a OneLogin id: a whole number from 1 to 2147483647 (got "login").',
      1,
    ],
    [
      'no event type ids',
      { filter: { eventTypeIds: [] } },
      'filter.eventTypeIds',
      '`filter.eventTypeIds` must not be empty: omit it to include every event type.',
      1,
    ],
    [
      'a user id above what OneLogin accepts',
      { filter: { userId: '99999999999' } },
      'filter.userId',
      '`filter.userId` must be a OneLogin id: a whole number from 1 to 2147483647 (got "99999999999").',
      1,
    ],
    [
      'a since in year 0000',
      { filter: { since: '0000-01-01T00:30:00+01:00' } },
      'filter.since',
      '`filter.since` (-000001-12-31T23:30:00.000Z) is outside the dates OneLogin accepts: give an instant from 0001-01-01T00:00:01.000Z to 9998-12-31T23:59:58.999Z.',
      1,
    ],
    [
      'an until in year 9999',
      { filter: { until: '9999-12-31T23:30:00Z' } },
      'filter.until',
      '`filter.until` (9999-12-31T23:30:00.000Z) is outside the dates OneLogin accepts: give an instant from 0001-01-01T00:00:01.000Z to 9998-12-31T23:59:58.999Z.',
      1,
    ],
    [
      'until before since',
      { filter: { since: '2024-05-02T00:00:00Z', until: '2024-05-01T00:00:00Z' } },
      'filter.until',
      '`filter.until` (2024-05-01T00:00:00.000Z) must be after `filter.since` (2024-05-02T00:00:00.000Z).',
      1,
    ],
    [
      'a client id with control characters',
      { filter: { clientId: 'abc\ndef' } },
      'filter.clientId',
      '`filter.clientId` must be 1 to 200 characters without control characters.',
      1,
    ],
  ])(
    'rejects %s before calling OneLogin',
    async (_name, variables, argument, message, estimated) => {
      const result = await gateway.execute(EVENTS, variables);
      expect(result).toEqual({
        data: null,
        extensions: cost(estimated, 0),
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
    },
  );

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

  it.each<[string, string, string, string, number]>([
    [
      'event',
      `query { event(id: "abc") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "abc").',
      0,
    ],
    [
      'event',
      `query { event(id: "3000000000") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "3000000000").',
      0,
    ],
    [
      'eventType',
      `query { eventType(id: "-5") { id } }`,
      'id',
      '`id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "-5").',
      // The catalogue, which this gateway has not loaded.
      1,
    ],
  ])('rejects a malformed id for %s', async (field, query, argument, message, estimated) => {
    const result = await gateway.execute(query);
    expect(result).toEqual({
      data: { [field]: null },
      extensions: cost(estimated, 0),
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
      headers: expect.any(Headers),
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
      headers: expect.any(Headers),
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

/** A request as sent over HTTP: a JSON body by default. */
interface ClientRequest {
  method?: 'GET' | 'POST' | 'PUT';
  /** A value to send as JSON, or the raw body. */
  json?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /** GET parameters. */
  search?: Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
const CSRF_MESSAGE =
  "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header (with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value for one of the following headers: x-apollo-operation-name, apollo-require-preflight\n";
const NO_BODY_MESSAGE = 'POST body missing, invalid Content-Type, or JSON object has no keys.';
const ID_TYPE_RULE =
  'must be a OneLogin id, a whole number from 1 to 2147483647 as a string or an integer';

const badRepresentation = (
  representations: unknown,
  argument: string,
  message: string,
  /** The calls estimated: one per valid Event id, and the catalogue (not loaded) for EventTypes. */
  estimated = 0,
): [ClientRequest, number, unknown[], unknown] => [
  { json: { query: ENTITIES, variables: { r: representations } } },
  400,
  [
    {
      message,
      locations: [{ line: 1, column: 24 }],
      extensions: { code: 'BAD_USER_INPUT', argument },
    },
  ],
  cost(estimated, 0),
];

/** Name, request, HTTP status, errors, and the response's `extensions` when it has any. */
const clientMistakes: Array<[string, ClientRequest, number, unknown[], unknown?]> = [
  [
    'several operations and no operationName',
    { json: { query: 'query A { __typename } query B { __typename }' } },
    400,
    [
      {
        message: 'Must provide operation name if query contains multiple operations.',
        extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
      },
    ],
  ],
  [
    'an operationName the document does not have',
    { json: { query: 'query A { __typename }', operationName: 'B' } },
    400,
    [
      {
        message: 'Unknown operation named "B".',
        extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
      },
    ],
  ],
  [
    'an operationName that is not a string',
    { json: { query: 'query A { __typename }', operationName: 5 } },
    400,
    [
      {
        message: '`operationName` in a POST body must be a string if provided.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'a subscription by POST (subscriptions are served over WebSocket)',
    { json: { query: 'subscription { eventAdded { id } }' } },
    400,
    [
      {
        message:
          'Subscriptions are served at /graphql over WebSocket (graphql-ws, subprotocol graphql-transport-ws) or Server-Sent Events (`accept: text/event-stream`), not as a plain POST or GET.',
        locations: [{ line: 1, column: 1 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ],
  ],
  [
    'a mutation over GET',
    {
      method: 'GET',
      search: {
        query: 'mutation { createEvent(input: { eventTypeId: "5" }) { event { eventTypeId } } }',
      },
    },
    405,
    [
      {
        message: 'GET requests only support query operations, not mutation operations',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'an entity representation without __typename',
    ...badRepresentation(
      [{ id: '1' }],
      'representations[0].__typename',
      "`representations[0].__typename` is required: one of this subgraph's entity types, Event, EventType or User.",
    ),
  ],
  [
    'an entity representation of a root type',
    ...badRepresentation(
      [
        { __typename: 'Event', id: '1' },
        { __typename: 'Query', id: '1' },
      ],
      'representations[1].__typename',
      '`representations[1].__typename` must be one of this subgraph\'s entity types, Event, EventType or User (got "Query").',
      1,
    ),
  ],
  [
    'an entity representation of an unknown type',
    ...badRepresentation(
      [{ __typename: 'Nope', id: '1' }],
      'representations[0].__typename',
      '`representations[0].__typename` must be one of this subgraph\'s entity types, Event, EventType or User (got "Nope").',
    ),
  ],
  [
    'an entity representation that is not an object',
    ...badRepresentation(
      ['Event:1'],
      'representations[0]',
      '`representations[0]` must be an entity representation, an object such as `{ __typename: "Event", id: "1" }` (got "Event:1").',
    ),
  ],
  [
    'an Event id that is an object',
    ...badRepresentation(
      [{ __typename: 'Event', id: {} }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got an object).`,
    ),
  ],
  [
    'an EventType id that is a list',
    ...badRepresentation(
      [{ __typename: 'EventType', id: ['5'] }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got a list).`,
      1,
    ),
  ],
  [
    'a User id that is an object',
    ...badRepresentation(
      [{ __typename: 'User', id: { id: '1' } }],
      'representations[0].id',
      `\`representations[0].id\` ${ID_TYPE_RULE} (got an object).`,
    ),
  ],
  [
    'a User id above what OneLogin accepts',
    ...badRepresentation(
      [{ __typename: 'User', id: 2147483648 }],
      'representations[0].id',
      '`representations[0].id` must be a OneLogin id: a whole number from 1 to 2147483647 (got "2147483648").',
    ),
  ],
  [
    'an entity representation without id',
    ...badRepresentation(
      [{ __typename: 'EventType' }],
      'representations[0].id',
      '`representations[0].id` is required: EventType entities are keyed by `id`, a OneLogin id.',
      1,
    ),
  ],
  [
    'a malformed representation written in the query, under an alias, in a fragment',
    {
      json: {
        query:
          'query { ...F } fragment F on Query { found: _entities(representations: [{ __typename: "Event", id: { a: 1 } }]) { __typename } }',
      },
    },
    400,
    [
      {
        message: `\`representations[0].id\` ${ID_TYPE_RULE} (got an object).`,
        locations: [{ line: 1, column: 38 }],
        extensions: { code: 'BAD_USER_INPUT', argument: 'representations[0].id' },
      },
    ],
    cost(0, 0),
  ],
  [
    'a persisted query whose hash does not match the query',
    {
      json: {
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ eventTypes { id } }') } },
      },
    },
    400,
    [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a persisted query of an unsupported version',
    {
      json: {
        query: '{ __typename }',
        extensions: { persistedQuery: { version: 2, sha256Hash: sha256('{ __typename }') } },
      },
    },
    400,
    [{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a persisted query extension that is not an object',
    { json: { query: '{ __typename }', extensions: { persistedQuery: 'yes' } } },
    400,
    [{ message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a mismatched persisted query over GET',
    {
      method: 'GET',
      search: {
        query: '{ __typename }',
        extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'abc' } }),
      },
    },
    400,
    [{ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    // Apollo's APQ protocol: 200, and the client sends the query with its hash next.
    'an unknown persisted query hash (HTTP 200 by the APQ protocol)',
    { json: { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('unknown') } } } },
    200,
    [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
  ],
  [
    'a batch (batching is disabled)',
    { json: [{ query: '{ __typename }' }, { query: '{ __typename }' }] },
    400,
    [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a body without a query',
    { json: { variables: {} } },
    400,
    [
      {
        message:
          'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'an empty JSON object',
    { json: {} },
    400,
    [{ message: NO_BODY_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a JSON null',
    { raw: 'null', headers: { 'content-type': 'application/json' } },
    400,
    [{ message: NO_BODY_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a query that is not a string',
    { json: { query: 5 } },
    400,
    [{ message: 'GraphQL queries must be strings.', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'variables as a JSON string',
    { json: { query: '{ __typename }', variables: '{}' } },
    400,
    [
      {
        message:
          '`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'random bytes as JSON',
    {
      raw: new Uint8Array([0x7b, 0xff, 0x00, 0xfe, 0x22]),
      headers: { 'content-type': 'application/json' },
    },
    400,
    [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a text/plain body (refused as a possible CSRF)',
    { raw: '{"query":"{ __typename }"}', headers: { 'content-type': 'text/plain' } },
    400,
    [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'an application/octet-stream body',
    {
      raw: new Uint8Array([1, 2, 250, 255]),
      headers: { 'content-type': 'application/octet-stream' },
    },
    400,
    [{ message: NO_BODY_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'an application/graphql body',
    { raw: '{ __typename }', headers: { 'content-type': 'application/graphql' } },
    400,
    [{ message: NO_BODY_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'a body without a content type',
    {
      raw: new TextEncoder().encode('{"query":"{ __typename }"}'),
      headers: { 'apollo-require-preflight': 'true' },
    },
    400,
    [{ message: NO_BODY_MESSAGE, extensions: { code: 'BAD_REQUEST' } }],
  ],
  [
    'GET without a query',
    { method: 'GET', search: {} },
    400,
    [
      {
        message:
          'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'GET with variables that are not JSON',
    { method: 'GET', search: { query: '{ __typename }', variables: '{nope' } },
    400,
    [
      {
        message: 'The variables search parameter contains invalid JSON.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ],
  ],
  [
    'PUT',
    { method: 'PUT', json: { query: '{ __typename }' } },
    405,
    [{ message: 'Use GET or POST', extensions: { code: 'BAD_REQUEST' } }],
  ],
];

describe.each([
  ['graphql-jit', 'true'],
  ['graphql-js', 'false'],
])(
  'client mistakes are client errors (%s): a precise code, HTTP 4xx, no error log, no OneLogin call',
  (_engine, jit) => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({
        env: { GRAPHQL_JIT: jit },
        simulatorOptions: { eventCount: 50 },
      });
    });
    afterAll(async () => {
      await gateway.stop();
    });
    beforeEach(() => gateway.resetUpstreamCalls());

    const send = async (request: ClientRequest) => {
      const method = request.method ?? 'POST';
      const search = request.search ? `?${new URLSearchParams(request.search).toString()}` : '';
      const body =
        method === 'GET' ? undefined : (request.raw ?? JSON.stringify(request.json ?? null));
      const response = await fetch(gateway.url + search, {
        method,
        headers: {
          ...(request.raw === undefined && method !== 'GET'
            ? { 'content-type': 'application/json' }
            : {}),
          ...(method === 'GET' ? { 'apollo-require-preflight': 'true' } : {}),
          ...request.headers,
        },
        body: body as BodyInit | undefined,
      });
      return { status: response.status, body: JSON.parse(await response.text()) as unknown };
    };

    // Every row as long as the longest: jest would pass `done` for a missing last value.
    const rows = clientMistakes.map(
      ([name, request, status, errors, extensions]) =>
        [name, request, status, errors, extensions ?? null] as const,
    );
    it.each(rows)('answers %s', async (_name, request, status, errors, extensions) => {
      const logged = gateway.logs.length;
      expect(await send(request)).toEqual({
        status,
        body: extensions === null ? { errors } : { errors, extensions },
      });
      expect(gateway.upstreamCalls()).toEqual({});
      // Client mistakes are logged at debug level at most: not warnings, not errors.
      const loud = gateway.logs
        .slice(logged)
        .filter((line) => (JSON.parse(line) as { level: number }).level >= 40);
      expect(loud).toEqual([]);
    });

    it('answers a persisted query whose hash matches, so the check is not over-broad', async () => {
      const query = '{ __typename }';
      const persistedQuery = { version: 1, sha256Hash: sha256(query) };
      expect(await send({ json: { query, extensions: { persistedQuery } } })).toEqual({
        status: 200,
        body: { data: { __typename: 'Query' } },
      });
      expect(await send({ json: { extensions: { persistedQuery } } })).toEqual({
        status: 200,
        body: { data: { __typename: 'Query' } },
      });
    });

    it('resolves well-formed representations, ids as strings or integers', async () => {
      const result = await send({
        json: {
          query: ENTITIES,
          variables: {
            r: [
              { __typename: 'EventType', id: 5 },
              { __typename: 'User', id: '7' },
            ],
          },
        },
      });
      expect(result).toEqual({
        status: 200,
        body: {
          data: { _entities: [{ __typename: 'EventType' }, { __typename: 'User' }] },
          // The EventType loads the catalogue.
          extensions: cost(1, 1),
        },
      });
    });

    it('answers two operations when operationName picks one', async () => {
      expect(
        await send({
          json: {
            query: 'query A { a: __typename } query B { b: __typename }',
            operationName: 'B',
          },
        }),
      ).toEqual({ status: 200, body: { data: { b: 'Query' } } });
    });
  },
);

describe('dates outside what OneLogin accepts', () => {
  const RANGE = 'give an instant from 0001-01-01T00:00:01.000Z to 9998-12-31T23:59:58.999Z.';
  const EVENTS_IN_WINDOW = `#graphql
    query ($filter: EventFilter) {
      events(filter: $filter, first: 1) { nodes { id } }
    }
  `;
  const FAILED_PROVISIONINGS = `#graphql
    query ($startDate: DateTime!, $stopDate: DateTime!) {
      failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 1) { nodes { loginId } }
    }
  `;
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
    await gateway.execute('{ events(first: 1) { nodes { id } } }'); // the token, once
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it.each<[string, string, Record<string, unknown>, string, string]>([
    [
      'events',
      'a since in year 0000',
      { filter: { since: '0000-06-01T00:00:00Z' } },
      'filter.since',
      '0000-06-01T00:00:00.000Z',
    ],
    [
      'events',
      'a since a millisecond before the range',
      { filter: { since: '0001-01-01T00:00:00.999Z' } },
      'filter.since',
      '0001-01-01T00:00:00.999Z',
    ],
    [
      'events',
      'a since that leaves year 0001 in UTC',
      { filter: { since: '0001-01-01T00:30:00+01:00' } },
      'filter.since',
      '0000-12-31T23:30:00.000Z',
    ],
    [
      'events',
      'an until a second after the range',
      { filter: { until: '9998-12-31T23:59:59Z' } },
      'filter.until',
      '9998-12-31T23:59:59.000Z',
    ],
    [
      'events',
      'an until in year 9999',
      { filter: { until: '9999-12-31T23:59:59Z' } },
      'filter.until',
      '9999-12-31T23:59:59.000Z',
    ],
    [
      'events',
      'an until that leaves year 9998 in UTC',
      { filter: { until: '9998-12-31T23:30:00-01:00' } },
      'filter.until',
      '9999-01-01T00:30:00.000Z',
    ],
    [
      'failedProvisionings',
      'a start in year 0000',
      { startDate: '0000-12-31T00:00:00Z', stopDate: '0001-01-02T00:00:00Z' },
      'startDate',
      '0000-12-31T00:00:00.000Z',
    ],
    [
      'failedProvisionings',
      'a stop in year 9999',
      { startDate: '9998-12-31T00:00:00Z', stopDate: '9999-01-01T00:00:00Z' },
      'stopDate',
      '9999-01-01T00:00:00.000Z',
    ],
  ])('%s: refuses %s before calling OneLogin', async (field, _name, variables, argument, iso) => {
    const query = field === 'events' ? EVENTS_IN_WINDOW : FAILED_PROVISIONINGS;
    const result = await gateway.execute(query, variables);
    expect(result).toEqual({
      data: null,
      // A page or a range, which is never asked for.
      extensions: cost(1, 0),
      errors: [
        {
          message: `\`${argument}\` (${iso}) is outside the dates OneLogin accepts: ${RANGE}`,
          locations: [{ line: 3, column: 7 }],
          path: [field],
          extensions: { code: 'BAD_USER_INPUT', argument },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    [
      'events',
      'the earliest since',
      { filter: { since: '0001-01-01T00:00:01Z', until: '0001-01-02T00:00:00Z' } },
      'GET /api/1/events',
    ],
    [
      'events',
      'the latest until',
      { filter: { since: '9998-12-31T00:00:00Z', until: '9998-12-31T23:59:58.999Z' } },
      'GET /api/1/events',
    ],
    [
      'failedProvisionings',
      'the earliest start',
      { startDate: '0001-01-01T00:00:01Z', stopDate: '0001-01-02T00:00:00Z' },
      'GET /api/v1/logins/failed_provisioning.json',
    ],
    [
      'failedProvisionings',
      'the latest stop',
      { startDate: '9998-12-31T00:00:00Z', stopDate: '9998-12-31T23:59:58Z' },
      'GET /api/v1/logins/failed_provisioning.json',
    ],
  ])(
    '%s: asks OneLogin about %s, and OneLogin takes it',
    async (field, _name, variables, route) => {
      const query = field === 'events' ? EVENTS_IN_WINDOW : FAILED_PROVISIONINGS;
      const result = await gateway.execute(query, variables);
      expect(result).toEqual({ data: { [field]: { nodes: [] } }, extensions: cost(1, 1) });
      expect(gateway.upstreamCalls()).toEqual({ [route]: 1 });
    },
  );
});
