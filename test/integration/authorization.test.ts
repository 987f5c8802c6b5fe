import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { subgraphSDL } from '../../src/server/createApolloServer';
import { startSimulator } from '../../src/simulator';
import type { EventRecord, SimulatorHandle } from '../../src/simulator';
import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';
import { cost } from '../helpers/cost';
import { TEST_NOW } from '../helpers/testClock';
import { userWithEvents } from '../helpers/testData';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

/**
 * Authorisation by scope (src/auth/scopes.ts), enforced at the data-source door
 * (src/datasources/createDataSources.ts) whether the answer comes from OneLogin
 * or from a cache every caller shares. A field the caller may not read is null
 * with a FORBIDDEN error at its path, and costs no OneLogin call.
 */

const LIST = 'GET /api/1/events';
const BY_ID = 'GET /api/1/events/:id';
const XML_POST = 'POST /api/v1/events.xml';

const ALL_SCOPES =
  'events:read events:read:self provisioning:read events:write graphql:any-operation';

/** Both execution engines answer every case below. */
const ENGINES: Array<[string, Record<string, string>]> = [
  ['graphql-jit', {}],
  ['graphql-js', { GRAPHQL_JIT: 'false' }],
];

let simulator: SimulatorHandle;
let idp: TestIdentityProvider;
/** The self-scoped caller's OneLogin user id (its token's `sub`): a user with events. */
let SELF: string;
/** Another user with events. */
let OTHER: string;

const events = (): readonly EventRecord[] => simulator.data.events();
const idOrNull = (value: number | null) => (value === null ? null : String(value));

/** `{ id userId }` of the newest `count` events matching `predicate` (the connection's default order). */
function newest(predicate: (event: EventRecord) => boolean, count = Infinity) {
  return [...events()]
    .filter(predicate)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)
    .slice(0, count)
    .map((event) => ({ id: String(event.id), userId: idOrNull(event.user_id) }));
}
const eventsOf = (user: string, count = Infinity) =>
  newest((event) => String(event.user_id) === user, count);

/** Where `needle` first occurs in `query`, as a GraphQL error location. */
function at(query: string, needle: string): { line: number; column: number } {
  const index = query.indexOf(needle);
  if (index === -1) throw new Error(`"${needle}" is not in the query`);
  const before = query.slice(0, index).split('\n');
  return { line: before.length, column: (before[before.length - 1] as string).length + 1 };
}

function forbiddenError(
  query: string,
  needle: string,
  path: Array<string | number>,
  message: string,
) {
  return { message, locations: [at(query, needle)], path, extensions: { code: 'FORBIDDEN' } };
}

const tokens = new Map<string, Promise<string>>();
/** A bearer header for a token with `scope` (none when undefined) and `sub`. */
async function bearer(scope: string | undefined, sub = SELF): Promise<Record<string, string>> {
  const key = `${sub}|${scope ?? ''}`;
  if (!tokens.has(key)) tokens.set(key, idp.sign({ sub, scope }));
  return { authorization: `Bearer ${await tokens.get(key)!}` };
}

beforeAll(async () => {
  simulator = await startSimulator({ now: TEST_NOW, eventCount: 2000 });
  idp = await startTestIdentityProvider();
  SELF = String(userWithEvents(events(), 10));
  const counts = new Map<string, number>();
  for (const event of events()) {
    const user = idOrNull(event.user_id);
    if (user !== null) counts.set(user, (counts.get(user) ?? 0) + 1);
  }
  OTHER = [...counts].find(([user, count]) => user !== SELF && count >= 10)![0];
});
afterAll(async () => {
  await idp.close();
  await simulator.close();
});

// ---------------------------------------------------------------------------
// 1. Every scope against every field.
// ---------------------------------------------------------------------------

/** How the caller sees events: all of them, its own only, or anonymous with every scope. */
type View = 'all' | 'self' | 'anonymous';

interface FieldSpec {
  query: string;
  variables?: () => Record<string, unknown>;
  /** The answer when the caller may read the field. */
  data(view: View): unknown;
  /** The answer when it may not, and where the error is. */
  refused: {
    data: () => unknown;
    path: Array<string | number>;
    needle: string;
    /** The name the message gives the field, and the scopes it needs. */
    what: string;
    needs: string;
  };
  /** OneLogin calls the field costs when allowed, where that is part of the spec. */
  calls?: Record<string, number>;
  /**
   * The calls the field can make, as estimated before it runs (the catalogue is loaded);
   * absent for a field nothing in OneLogin backs, whose answer reports no cost.
   */
  estimated?: number;
}

const CREATE_INPUT = { eventTypeId: '9', customMessage: 'recorded by the authorization spec' };
const EVENTS_SCOPES = 'events:read or events:read:self';

const FIELDS = {
  events: {
    query: `{ events(first: 3) { nodes { id userId } } }`,
    data: (view) => ({
      events: { nodes: view === 'self' ? eventsOf(SELF, 3) : newest(() => true, 3) },
    }),
    refused: {
      data: () => null,
      path: ['events'],
      needle: 'events',
      what: 'events',
      needs: EVENTS_SCOPES,
    },
    calls: { [LIST]: 1 },
    estimated: 1,
  },
  'event(id)': {
    query: `query ($id: ID!) { event(id: $id) { id userId } }`,
    variables: () => ({ id: eventsOf(SELF)[0]!.id }),
    data: () => ({ event: eventsOf(SELF)[0] }),
    refused: {
      data: () => ({ event: null }),
      path: ['event'],
      needle: 'event(',
      what: 'event',
      needs: EVENTS_SCOPES,
    },
    estimated: 1,
  },
  eventTypes: {
    query: `{ eventTypes { id } }`,
    data: () => ({
      eventTypes: [...simulator.data.eventTypes()]
        .sort((a, b) => a.id - b.id)
        .map((type) => ({ id: String(type.id) })),
    }),
    refused: {
      data: () => null,
      path: ['eventTypes'],
      needle: 'eventTypes',
      what: 'eventTypes',
      needs: EVENTS_SCOPES,
    },
    estimated: 0,
  },
  'eventType(id)': {
    query: `{ eventType(id: "5") { id name } }`,
    data: () => ({ eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' } }),
    refused: {
      data: () => ({ eventType: null }),
      path: ['eventType'],
      needle: 'eventType',
      what: 'eventType',
      needs: EVENTS_SCOPES,
    },
    estimated: 0,
  },
  failedProvisionings: {
    query: `query ($startDate: DateTime!, $stopDate: DateTime!) {
      failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 2) { totalCount nodes { loginId createdAt } }
    }`,
    variables: () => provisioningRange(),
    data: () => {
      const { startDate, stopDate } = provisioningRange();
      const inRange = simulator.data
        .failedProvisionings()
        .filter(
          (record) =>
            Date.parse(record.created_at) >= Date.parse(startDate) &&
            Date.parse(record.created_at) <= Date.parse(stopDate),
        );
      return {
        failedProvisionings: {
          totalCount: inRange.length,
          nodes: inRange.slice(0, 2).map((record) => ({
            loginId: String(record.login_id),
            createdAt: new Date(record.created_at).toISOString(),
          })),
        },
      };
    },
    refused: {
      data: () => null,
      path: ['failedProvisionings'],
      needle: 'failedProvisionings(',
      what: 'failedProvisionings',
      needs: 'provisioning:read',
    },
    estimated: 1,
  },
  createEvent: {
    query: `mutation ($input: CreateEventInput!) {
      createEvent(input: $input) { event { eventTypeId eventType { id name } customMessage userId } }
    }`,
    variables: () => ({ input: CREATE_INPUT }),
    data: () => ({
      createEvent: {
        event: {
          eventTypeId: '9',
          eventType: { id: '9', name: 'USER_FAILED_APP_LOGIN' },
          customMessage: CREATE_INPUT.customMessage,
          userId: null,
        },
      },
    }),
    refused: {
      data: () => null,
      path: ['createEvent'],
      needle: 'createEvent(',
      what: 'createEvent',
      needs: 'events:write',
    },
    calls: { [XML_POST]: 1 },
    estimated: 1,
  },
  me: {
    query: `{ me { id } }`,
    // An anonymous caller's credential names no OneLogin user.
    data: (view) => ({ me: view === 'anonymous' ? null : { id: SELF } }),
    // Never refused to an authenticated caller (`@authenticated`, no scope): no row says FORBIDDEN.
    refused: { data: () => null, path: ['me'], needle: 'me', what: 'me', needs: '' },
    calls: {},
  },
  '_entities User { events }': {
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id events(first: 2) { nodes { id userId } } } } }`,
    variables: () => ({ r: [{ __typename: 'User', id: SELF }] }),
    data: () => ({ _entities: [{ id: SELF, events: { nodes: eventsOf(SELF, 2) } }] }),
    refused: {
      data: () => ({ _entities: [{ id: SELF, events: null }] }),
      path: ['_entities', 0, 'events'],
      needle: 'events(',
      what: 'User.events',
      needs: EVENTS_SCOPES,
    },
    calls: { [LIST]: 1 },
    estimated: 1,
  },
  '_entities Event': {
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id userId } } }`,
    variables: () => ({ r: [{ __typename: 'Event', id: eventsOf(SELF)[1]!.id }] }),
    data: () => ({ _entities: [eventsOf(SELF)[1]] }),
    refused: {
      data: () => ({ _entities: [null] }),
      path: ['_entities', 0],
      needle: '_entities',
      what: 'event',
      needs: EVENTS_SCOPES,
    },
    estimated: 1,
  },
  '_entities EventType': {
    query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EventType { id name } } }`,
    variables: () => ({ r: [{ __typename: 'EventType', id: '6' }] }),
    data: () => ({ _entities: [{ id: '6', name: 'USER_FAILED_ONELOGIN_LOGIN' }] }),
    refused: {
      data: () => ({ _entities: [null] }),
      path: ['_entities', 0],
      needle: '_entities',
      what: 'eventType',
      needs: EVENTS_SCOPES,
    },
    estimated: 0,
  },
} satisfies Record<string, FieldSpec>;

type FieldName = keyof typeof FIELDS;

function provisioningRange() {
  const all = simulator.data.failedProvisionings();
  return { startDate: all[40]!.created_at, stopDate: all[110]!.created_at };
}

const OK = 'data' as const;
const NO = 'FORBIDDEN' as const;
type Outcome = typeof OK | typeof NO;

interface CallerRow {
  caller: string;
  /** The token's scope claim; absent for an anonymous caller of a gateway without authentication. */
  scope: string | undefined;
  anonymous?: boolean;
  view: View;
  outcomes: Record<FieldName, Outcome>;
}

/** The specification: for each caller, what each field answers. */
const TABLE: CallerRow[] = [
  {
    caller: 'no scope',
    scope: undefined,
    view: 'all',
    outcomes: {
      events: NO,
      'event(id)': NO,
      eventTypes: NO,
      'eventType(id)': NO,
      failedProvisionings: NO,
      createEvent: NO,
      me: OK,
      '_entities User { events }': NO,
      '_entities Event': NO,
      '_entities EventType': NO,
    },
  },
  {
    caller: 'events:read',
    scope: 'events:read',
    view: 'all',
    outcomes: {
      events: OK,
      'event(id)': OK,
      eventTypes: OK,
      'eventType(id)': OK,
      failedProvisionings: NO,
      createEvent: NO,
      me: OK,
      '_entities User { events }': OK,
      '_entities Event': OK,
      '_entities EventType': OK,
    },
  },
  {
    caller: 'events:read:self',
    scope: 'events:read:self',
    view: 'self',
    outcomes: {
      events: OK,
      'event(id)': OK,
      eventTypes: OK,
      'eventType(id)': OK,
      failedProvisionings: NO,
      createEvent: NO,
      me: OK,
      '_entities User { events }': OK,
      '_entities Event': OK,
      '_entities EventType': OK,
    },
  },
  {
    caller: 'provisioning:read',
    scope: 'provisioning:read',
    view: 'all',
    outcomes: {
      events: NO,
      'event(id)': NO,
      eventTypes: NO,
      'eventType(id)': NO,
      failedProvisionings: OK,
      createEvent: NO,
      me: OK,
      '_entities User { events }': NO,
      '_entities Event': NO,
      '_entities EventType': NO,
    },
  },
  {
    caller: 'events:write',
    scope: 'events:write',
    view: 'all',
    outcomes: {
      events: NO,
      'event(id)': NO,
      eventTypes: NO,
      'eventType(id)': NO,
      failedProvisionings: NO,
      createEvent: OK,
      me: OK,
      '_entities User { events }': NO,
      '_entities Event': NO,
      '_entities EventType': NO,
    },
  },
  {
    caller: 'graphql:any-operation',
    scope: 'graphql:any-operation',
    view: 'all',
    outcomes: {
      events: NO,
      'event(id)': NO,
      eventTypes: NO,
      'eventType(id)': NO,
      failedProvisionings: NO,
      createEvent: NO,
      me: OK,
      '_entities User { events }': NO,
      '_entities Event': NO,
      '_entities EventType': NO,
    },
  },
  {
    caller: 'all scopes',
    scope: ALL_SCOPES,
    view: 'all',
    outcomes: {
      events: OK,
      'event(id)': OK,
      eventTypes: OK,
      'eventType(id)': OK,
      failedProvisionings: OK,
      createEvent: OK,
      me: OK,
      '_entities User { events }': OK,
      '_entities Event': OK,
      '_entities EventType': OK,
    },
  },
  {
    caller: 'anonymous in development (no AUTH_MODE, no NODE_ENV)',
    scope: undefined,
    anonymous: true,
    view: 'anonymous',
    outcomes: {
      events: OK,
      'event(id)': OK,
      eventTypes: OK,
      'eventType(id)': OK,
      failedProvisionings: OK,
      createEvent: OK,
      me: OK,
      '_entities User { events }': OK,
      '_entities Event': OK,
      '_entities EventType': OK,
    },
  },
];

const CASES = TABLE.flatMap((row) =>
  (Object.keys(FIELDS) as FieldName[]).map((field) => ({
    caller: row.caller,
    field,
    outcome: row.outcomes[field],
    row,
  })),
);

/** What `field` answers `row`'s caller, having made `actual` OneLogin calls: the whole response. */
function expectedAnswer(row: CallerRow, field: FieldName, actual = 0): GraphQLResponse {
  const spec: FieldSpec = FIELDS[field];
  const extensions =
    spec.estimated === undefined ? {} : { extensions: cost(spec.estimated, actual) };
  if (row.outcomes[field] === OK)
    return { data: spec.data(row.view) as Record<string, unknown>, ...extensions };
  const held = row.scope ? row.scope.split(' ').join(', ') : 'no scope';
  return {
    ...extensions,
    data: spec.refused.data() as Record<string, unknown> | null,
    errors: [
      forbiddenError(
        spec.query,
        spec.refused.needle,
        spec.refused.path,
        `\`${spec.refused.what}\` needs the scope ${spec.refused.needs}; this caller has ${held}.`,
      ),
    ],
  };
}

describe.each(ENGINES)('every scope against every field, with %s', (_engine, engineEnv) => {
  /** jwt authentication, as in production. */
  let secured: TestGateway;
  /** No authentication configured, outside production: anonymous callers. */
  let open: TestGateway;

  beforeAll(async () => {
    secured = await startTestGateway({
      simulator,
      env: idp.env({ NODE_ENV: 'production', ...engineEnv }),
    });
    open = await startTestGateway({ simulator, env: engineEnv });
    // The OneLogin token and the event-type catalogue, so that the counts below are the fields' own.
    await open.execute(`{ eventTypes { id } }`);
    await secured.executeAs(await bearer('events:read'), `{ eventTypes { id } }`);
  });
  afterAll(async () => {
    await secured.stop();
    await open.stop();
  });
  beforeEach(() => simulator.counters.reset());

  it.each(CASES)('$caller: $field → $outcome', async ({ row, field, outcome }) => {
    const spec: FieldSpec = FIELDS[field];
    const gateway = row.anonymous ? open : secured;
    const headers = row.anonymous ? {} : await bearer(row.scope);
    const result = await gateway.executeAs(headers, spec.query, spec.variables?.());

    // What the request made is what OneLogin saw (the token was fetched before).
    const made = Object.values(gateway.upstreamCalls()).reduce((sum, calls) => sum + calls, 0);
    expect(result).toEqual(expectedAnswer(row, field, made));
    if (outcome === NO) expect(gateway.upstreamCalls()).toEqual({});
    else if (spec.calls) expect(gateway.upstreamCalls()).toEqual(spec.calls);
  });

  it('refuses one field and answers its siblings in the same document', async () => {
    const query = `{ eventType(id: "5") { id } me { id } event(id: "1") { id } }`;
    const result = await secured.executeAs(await bearer('provisioning:read'), query);
    expect(result).toEqual({
      data: { eventType: null, me: { id: SELF }, event: null },
      extensions: cost(1, 0),
      errors: [
        forbiddenError(
          query,
          'eventType',
          ['eventType'],
          '`eventType` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
        forbiddenError(
          query,
          'event(',
          ['event'],
          '`event` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
      ],
    });
    expect(secured.upstreamCalls()).toEqual({});
  });

  // Like `Event`, a refused `EventType` reference must be null at its own index. Today
  // loadEventType throws synchronously, the throw escapes @apollo/subgraph's
  // `representations.map`, and the whole (non-null) `_entities` fails: `data: null`.
  it('refuses each entity of a router’s `_entities` batch on its own; the others resolve', async () => {
    const query = `query ($r: [_Any!]!) {
      _entities(representations: $r) { ... on User { id } ... on EventType { id } ... on Event { id } }
    }`;
    const result = await secured.executeAs(await bearer('provisioning:read'), query, {
      r: [
        { __typename: 'User', id: SELF },
        { __typename: 'EventType', id: '5' },
        { __typename: 'Event', id: eventsOf(SELF)[0]!.id },
      ],
    });
    expect(result).toEqual({
      data: { _entities: [{ id: SELF }, null, null] },
      extensions: cost(1, 0),
      errors: [
        forbiddenError(
          query,
          '_entities',
          ['_entities', 1],
          '`eventType` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
        forbiddenError(
          query,
          '_entities',
          ['_entities', 2],
          '`event` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
      ],
    });
    expect(secured.upstreamCalls()).toEqual({});
  });
});

// ---------------------------------------------------------------------------
// 2. events:read:self: only the caller's own events, wherever they are read.
// ---------------------------------------------------------------------------

describe.each(ENGINES)('events:read:self, with %s', (_engine, engineEnv) => {
  let gateway: TestGateway;
  let self: Record<string, string>;
  let reader: Record<string, string>;

  beforeAll(async () => {
    gateway = await startTestGateway({
      simulator,
      env: idp.env({ NODE_ENV: 'production', ...engineEnv }),
    });
    self = await bearer('events:read:self');
    reader = await bearer('events:read', OTHER);
    await gateway.executeAs(reader, `{ eventTypes { id } }`);
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => simulator.counters.reset());

  const PAGE = `query ($filter: EventFilter) {
    events(filter: $filter, first: 5) {
      edges { cursor node { id userId } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  type Page = {
    events: {
      edges: Array<{ cursor: string; node: { id: string; userId: string | null } }>;
      pageInfo: Record<string, unknown>;
    };
  };

  it('`events` without userId is the caller’s own events, exactly as `filter: { userId }` with events:read, for one call', async () => {
    const own = await gateway.executeAs<Page>(self, PAGE);
    expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });

    const filtered = await gateway.executeAs<Page>(reader, PAGE, { filter: { userId: SELF } });
    expect(own).toEqual(filtered);
    expect(own.extensions).toEqual(cost(1, 1));
    expect(own.data!.events.edges.map((edge) => edge.node)).toEqual(eventsOf(SELF, 5));
    expect(own.data!.events.edges.every((edge) => edge.node.userId === SELF)).toBe(true);
    expect(own.data!.events.pageInfo.hasNextPage).toBe(true);
  });

  it('`events(filter: { userId: <another user> })` is FORBIDDEN, and nobody is called', async () => {
    const result = await gateway.executeAs(self, PAGE, { filter: { userId: OTHER } });
    expect(result).toEqual({
      data: null,
      extensions: cost(1, 0),
      errors: [
        forbiddenError(
          PAGE,
          'events(',
          ['events'],
          `\`events\`: this caller may only read its own events (OneLogin user ${SELF}), with the scope events:read:self.`,
        ),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each<[string, (id: string) => string]>([
    ['leading zeros', (id) => `00${id}`],
    ['whitespace', (id) => `  ${id}\t`],
    ['leading zeros and whitespace', (id) => ` 0${id} `],
  ])('`filter.userId` of the caller’s own id with %s is the caller’s own', async (_name, spell) => {
    const userId = spell(SELF);
    expect(userId.trim().length).toBeLessThanOrEqual(10); // OneLogin ids have at most 10 digits
    const given = await gateway.executeAs<Page>(self, PAGE, { filter: { userId } });
    const canonical = await gateway.executeAs<Page>(self, PAGE, { filter: { userId: SELF } });
    expect(given).toEqual(canonical);
    expect(given.data!.events.edges.map((edge) => edge.node)).toEqual(eventsOf(SELF, 5));
  });

  it('a cursor from another user’s listing does not page into their events', async () => {
    const theirs = await gateway.executeAs<Page>(reader, PAGE, { filter: { userId: OTHER } });
    const after = theirs.data!.events.pageInfo['endCursor'] as string;
    simulator.counters.reset();
    const query = `query ($after: String) { events(first: 5, after: $after) { nodes { id userId } } }`;
    expect(await gateway.executeAs(self, query, { after })).toEqual({
      data: null,
      extensions: cost(1, 0),
      errors: [
        {
          message:
            '`after` is a cursor from a different `filter` or `orderBy`: page with the same filter and order the cursor came from, or start again without `after`.',
          locations: [at(query, 'events(')],
          path: ['events'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('`event(id)` answers the caller’s own event and null, without an error, for another user’s', async () => {
    const query = `query ($own: ID!, $foreign: ID!) {
      own: event(id: $own) { id userId }
      foreign: event(id: $foreign) { id userId }
    }`;
    const own = eventsOf(SELF)[2]!;
    const foreign = eventsOf(OTHER)[2]!;
    const result = await gateway.executeAs(self, query, { own: own.id, foreign: foreign.id });
    // Both were listed by the tests above: the cache answers.
    expect(result).toEqual({ data: { own, foreign: null }, extensions: cost(2, 0) });
    // The same foreign event is there for a caller that reads every event.
    expect(await gateway.executeAs(reader, `{ event(id: "${foreign.id}") { id userId } }`)).toEqual(
      { data: { event: foreign }, extensions: cost(1, 0) },
    );
  });

  it('`User.events` of another user is FORBIDDEN on that field only; its id and the caller’s own user resolve', async () => {
    const query = `query ($r: [_Any!]!) {
      _entities(representations: $r) { ... on User { id events(first: 3) { nodes { id userId } } } }
    }`;
    const result = await gateway.executeAs(self, query, {
      r: [
        { __typename: 'User', id: OTHER },
        { __typename: 'User', id: SELF },
      ],
    });
    expect(result).toEqual({
      data: {
        _entities: [
          { id: OTHER, events: null },
          { id: SELF, events: { nodes: eventsOf(SELF, 3) } },
        ],
      },
      // The refused user's events cost nothing.
      extensions: cost(2, 1),
      errors: [
        forbiddenError(
          query,
          'events(',
          ['_entities', 0, 'events'],
          `\`User.events\`: this caller may only read its own events (OneLogin user ${SELF}), with the scope events:read:self.`,
        ),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({ [LIST]: 1 });
  });

  it('`me { id events }` is the caller’s own audit trail', async () => {
    const result = await gateway.executeAs(
      self,
      `{ me { id events(first: 3) { nodes { id userId } } } }`,
    );
    expect(result).toEqual({
      data: { me: { id: SELF, events: { nodes: eventsOf(SELF, 3) } } },
      extensions: cost(1, 1),
    });
  });

  describe('a self-scoped credential that names no OneLogin user (sub "abc")', () => {
    let nobody: Record<string, string>;
    beforeAll(async () => {
      nobody = await bearer('events:read:self', 'abc');
    });

    it('`events` is FORBIDDEN, saying the credential names no OneLogin user id, and nobody is called', async () => {
      const query = `{ events(first: 3) { nodes { id } } }`;
      expect(await gateway.executeAs(nobody, query)).toEqual({
        data: null,
        extensions: cost(1, 0),
        errors: [
          forbiddenError(
            query,
            'events',
            ['events'],
            "`events` needs a OneLogin user id for the scope events:read:self, and this caller's credential names none.",
          ),
        ],
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('`me` is null', async () => {
      expect(await gateway.executeAs(nobody, `{ me { id } }`)).toEqual({ data: { me: null } });
    });

    it('`event(id)` is FORBIDDEN too: it cannot be the caller’s own', async () => {
      const query = `{ event(id: "${eventsOf(SELF)[0]!.id}") { id } }`;
      expect(await gateway.executeAs(nobody, query)).toEqual({
        data: { event: null },
        extensions: cost(1, 0),
        errors: [
          forbiddenError(
            query,
            'event(',
            ['event'],
            "`event` needs a OneLogin user id for the scope events:read:self, and this caller's credential names none.",
          ),
        ],
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    // scopes.ts: events:read:self is "only events whose userId is the caller's own; event types".
    // Event types are nobody's: they need no user id.
    it('event types are still readable (they belong to no user)', async () => {
      expect(
        await gateway.executeAs(nobody, `{ eventType(id: "5") { id name } eventTypes { id } }`),
      ).toEqual({
        data: {
          eventType: { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' },
          eventTypes: expectedAnswer(TABLE[1]!, 'eventTypes').data!['eventTypes'],
        },
        extensions: cost(0, 0),
      });
    });
  });
});

/**
 * apollo-server#4486: a cache shared by all callers must not hand a caller what
 * its scope does not allow. The gateway's event cache holds what its one
 * OneLogin credential sees; the door checks the owner of every event it hands
 * out, cached or not.
 */
describe.each(ENGINES)(
  'events:read:self and the shared event cache (apollo-server#4486), with %s',
  (_engine, engineEnv) => {
    // A gateway of its own: its cache holds exactly what these steps put there.
    let gateway: TestGateway;
    let self: Record<string, string>;
    let reader: Record<string, string>;
    /** OTHER's newest five events: listed by the reader, so cached. */
    let listed: Array<{ id: string; userId: string | null }>;
    /** OTHER's older events: never listed. */
    let unlisted: Array<{ id: string; userId: string | null }>;
    /** SELF's events. */
    let own: Array<{ id: string; userId: string | null }>;

    beforeAll(async () => {
      gateway = await startTestGateway({
        simulator,
        env: idp.env({ NODE_ENV: 'production', ...engineEnv }),
      });
      self = await bearer('events:read:self');
      reader = await bearer('events:read', OTHER);
      const foreign = eventsOf(OTHER);
      listed = foreign.slice(0, 5);
      unlisted = foreign.slice(-3);
      own = eventsOf(SELF).slice(-4);
      const page = await gateway.executeAs(
        reader,
        `query ($u: ID!) { events(filter: { userId: $u }, first: 5) { nodes { id userId } } }`,
        { u: OTHER },
      );
      expect(page).toEqual({ data: { events: { nodes: listed } }, extensions: cost(1, 1) });
    });
    afterAll(async () => {
      await gateway.stop();
    });
    beforeEach(() => simulator.counters.reset());

    it('the listed events are in the cache: the reader gets one without a call', async () => {
      expect(
        await gateway.executeAs(reader, `{ event(id: "${listed[0]!.id}") { id userId } }`),
      ).toEqual({ data: { event: listed[0] }, extensions: cost(1, 0) });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('the self-scoped caller gets null for the cached foreign event, answered from the cache', async () => {
      // The caller asks for `id` only; the door also needs the owner, which the cached copy has.
      expect(await gateway.executeAs(self, `{ event(id: "${listed[0]!.id}") { id } }`)).toEqual({
        data: { event: null },
        extensions: cost(1, 0),
      });
      expect(
        await gateway.executeAs(self, `{ event(id: "${listed[1]!.id}") { id userId } }`),
      ).toEqual({ data: { event: null }, extensions: cost(1, 0) });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('a field the cached copy lacks costs one look-up, and the answer is still null', async () => {
      expect(
        await gateway.executeAs(self, `{ event(id: "${listed[1]!.id}") { id createdAt } }`),
      ).toEqual({ data: { event: null }, extensions: cost(1, 1) });
      expect(gateway.upstreamCalls()).toEqual({ [BY_ID]: 1 });
    });

    it('through `_entities`: its own event, and null for a cached and an uncached foreign one', async () => {
      const result = await gateway.executeAs(
        self,
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id userId } } }`,
        {
          r: [
            { __typename: 'Event', id: own[0]!.id },
            { __typename: 'Event', id: listed[2]!.id },
            { __typename: 'Event', id: unlisted[0]!.id },
          ],
        },
      );
      expect(result).toEqual({ data: { _entities: [own[0], null, null] }, extensions: cost(3, 2) });
      // Only the two that were not cached were fetched.
      expect(gateway.upstreamCalls()).toEqual({ [BY_ID]: 2 });
    });

    it('through an aliased batch of `event(id:)` mixing its own and foreign events, cached and not', async () => {
      // Cached by now: listed[*], own[0] and unlisted[0] (fetched above).
      const ids = [
        own[0]!.id,
        listed[0]!.id,
        own[1]!.id,
        listed[3]!.id,
        unlisted[1]!.id,
        own[2]!.id,
        listed[4]!.id,
        unlisted[0]!.id,
        own[3]!.id,
        unlisted[2]!.id,
        listed[1]!.id,
        own[0]!.id,
      ];
      const query = `{ ${ids.map((id, i) => `e${i}: event(id: "${id}") { id userId }`).join(' ')} }`;
      const result = await gateway.executeAs(self, query);
      const byId = new Map([...own, ...listed, ...unlisted].map((event) => [event.id, event]));
      expect(result).toEqual({
        data: Object.fromEntries(
          ids.map((id, i) => {
            const event = byId.get(id)!;
            return [`e${i}`, event.userId === SELF ? event : null];
          }),
        ),
        // own[0] is asked for twice and looked up once.
        extensions: cost(11, 5),
      });
      // Not cached: own[1], own[2], own[3], unlisted[1], unlisted[2].
      expect(gateway.upstreamCalls()).toEqual({ [BY_ID]: 5 });
    });

    it('the reader still sees every one of them (the cache is not what hides them)', async () => {
      const ids = [listed[0]!.id, unlisted[1]!.id, own[1]!.id];
      const query = `{ ${ids.map((id, i) => `e${i}: event(id: "${id}") { id userId }`).join(' ')} }`;
      const byId = new Map([...own, ...listed, ...unlisted].map((event) => [event.id, event]));
      expect(await gateway.executeAs(reader, query)).toEqual({
        data: Object.fromEntries(ids.map((id, i) => [`e${i}`, byId.get(id)])),
        extensions: cost(3, 0),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });
  },
);

// ---------------------------------------------------------------------------
// 3. provisioning:read alone.
// ---------------------------------------------------------------------------

describe.each(ENGINES)('provisioning:read alone, with %s', (_engine, engineEnv) => {
  let gateway: TestGateway;
  let provisioner: Record<string, string>;

  beforeAll(async () => {
    gateway = await startTestGateway({
      simulator,
      env: idp.env({ NODE_ENV: 'production', ...engineEnv }),
    });
    provisioner = await bearer('provisioning:read');
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => simulator.counters.reset());

  const RANGE_QUERY = `query ($startDate: DateTime!, $stopDate: DateTime!) {
    failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 3) {
      totalCount nodes { loginId user { id email } }
    }
    eventType(id: "5") { id }
  }`;

  it('reads failedProvisionings with their users; a sibling event field is FORBIDDEN on its own path', async () => {
    const range = provisioningRange();
    const inRange = simulator.data
      .failedProvisionings()
      .filter(
        (record) =>
          Date.parse(record.created_at) >= Date.parse(range.startDate) &&
          Date.parse(record.created_at) <= Date.parse(range.stopDate),
      );
    const result = await gateway.executeAs(provisioner, RANGE_QUERY, range);
    expect(result).toEqual({
      data: {
        failedProvisionings: {
          totalCount: inRange.length,
          nodes: inRange.slice(0, 3).map((record) => ({
            loginId: String(record.login_id),
            user: { id: String(record.user.id), email: record.user.email || null },
          })),
        },
        eventType: null,
      },
      // The catalogue would have been one more call: this gateway has not loaded it.
      extensions: cost(1 + 1, 1),
      errors: [
        forbiddenError(
          RANGE_QUERY,
          'eventType(',
          ['eventType'],
          '`eventType` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({
      'GET /api/v1/logins/failed_provisioning.json': 1,
    });
  });

  it('a FailedProvisioningUser is not a `User` entity: it has no `events` to reach other users’ events through', async () => {
    const query = `query ($startDate: DateTime!, $stopDate: DateTime!) {
      failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 1) { nodes { user { id events { nodes { id } } } } }
    }`;
    const response = await gateway.post({ query, variables: provisioningRange() }, provisioner);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({
      errors: [
        {
          message: 'Cannot query field "events" on type "FailedProvisioningUser".',
          locations: [at(query, 'events {')],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('a FORBIDDEN non-null root field (`events`) nulls the whole answer, as GraphQL requires of non-null fields', async () => {
    const query = `query ($startDate: DateTime!, $stopDate: DateTime!) {
      failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: 1) { totalCount }
      events(first: 1) { nodes { id } }
    }`;
    const result = await gateway.executeAs(provisioner, query, provisioningRange());
    expect(result).toEqual({
      data: null,
      // The range is cached by the test above.
      extensions: cost(2, 0),
      errors: [
        forbiddenError(
          query,
          'events(',
          ['events'],
          '`events` needs the scope events:read or events:read:self; this caller has provisioning:read.',
        ),
      ],
    });
  });
});

// ---------------------------------------------------------------------------
// 4. Who may call at all: the subgraph SDL and introspection need credentials.
// ---------------------------------------------------------------------------

describe.each(ENGINES)(
  'credentials for _service and introspection, with %s',
  (_engine, engineEnv) => {
    const MODES: Array<[string, Record<string, string>]> = [
      ['jwt mode', {}],
      ['jwt mode in production', { NODE_ENV: 'production' }],
    ];
    const gateways = new Map<string, TestGateway>();

    beforeAll(async () => {
      for (const [mode, env] of MODES) {
        gateways.set(
          mode,
          await startTestGateway({ simulator, env: idp.env({ ...env, ...engineEnv }) }),
        );
      }
    });
    afterAll(async () => {
      for (const gateway of gateways.values()) await gateway.stop();
    });
    beforeEach(() => simulator.counters.reset());

    const SERVICE = `{ _service { sdl } }`;
    const INTROSPECTION = `{ __schema { queryType { name } } }`;

    it.each(
      MODES.flatMap(([mode]) => [
        [mode, '_service { sdl }', SERVICE],
        [mode, 'introspection', INTROSPECTION],
      ]),
    )('%s: %s without credentials is 401, and nobody is called', async (mode, _name, query) => {
      const gateway = gateways.get(mode)!;
      const response = await gateway.post({ query });
      expect({
        status: response.status,
        challenge: response.headers.get('www-authenticate'),
        body: JSON.parse(response.text),
      }).toEqual({
        status: 401,
        challenge: 'Bearer realm="onelogin-events-gateway"',
        body: {
          errors: [
            {
              message:
                'This gateway needs credentials: send `Authorization: Bearer <access token>`.',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it.each(MODES.map(([mode]) => [mode]))(
      '%s: `_service { sdl }` with a valid token (any scope, none needed) is the subgraph SDL',
      async (mode) => {
        const gateway = gateways.get(mode)!;
        expect(await gateway.executeAs(await bearer(undefined), SERVICE)).toEqual({
          data: { _service: { sdl: subgraphSDL() } },
        });
        expect(gateway.upstreamCalls()).toEqual({});
      },
    );

    it('jwt mode outside production: introspection with a valid token answers', async () => {
      expect(
        await gateways.get('jwt mode')!.executeAs(await bearer(undefined), INTROSPECTION),
      ).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  },
);
