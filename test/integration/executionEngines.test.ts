import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

/**
 * The gateway executes with graphql-jit by default (GRAPHQL_JIT) and with
 * graphql-js when a router asks for a trace or GRAPHQL_JIT=false. Both must
 * answer every operation identically, errors included.
 */
describe('graphql-jit and graphql-js', () => {
  let jit: TestGateway;
  let js: TestGateway;

  beforeAll(async () => {
    jit = await startTestGateway();
    js = await startTestGateway({ simulator: jit.simulator, env: { GRAPHQL_JIT: 'false' } });
  });
  afterAll(async () => {
    await js.stop();
    await jit.stop();
  });

  // Every row has three items: jest treats a missing last argument as a `done` callback.
  it.each<[string, string, Record<string, unknown> | undefined]>([
    [
      'a page with fragments, aliases, derived fields and entities',
      `query Page($first: Int) {
        events(first: $first, filter: { eventTypeIds: ["5", "6", "8"] }) {
          edges { cursor node { ...EventParts when: createdAt } }
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        }
      }
      fragment EventParts on Event {
        id message riskLevel riskReasons riskScore ipAddress userName
        eventType { id name placeholders } user { id } actorUser { id } __typename
      }`,
      { first: 30 },
    ],
    [
      'a look-up that finds nothing',
      `{ event(id: "1") { id } eventType(id: "999999") { id } }`,
      undefined,
    ],
    [
      'bad input in a variable',
      `query ($since: DateTime) { events(filter: { since: $since }) { nodes { id } } }`,
      { since: 'soon' },
    ],
    ['bad input in an argument', `{ events(first: -3) { nodes { id } } }`, undefined],
    [
      'entities',
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EventType { id name } } }`,
      { r: [{ __typename: 'EventType', id: '7' }] },
    ],
    [
      'an entity representation without __typename (an error without extensions)',
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EventType { id } } }`,
      { r: [{ id: '7' }] },
    ],
  ])('answer %s identically', async (_name, query, variables) => {
    const [a, b] = await Promise.all([
      jit.post({ query, variables }),
      js.post({ query, variables }),
    ]);
    expect(a).toEqual(b);
  });
});

describe('an event field OneLogin sent a value for that its scalar cannot represent', () => {
  it('is null with an error on that field only, the rest of the page intact, with either engine', async () => {
    const jit = await startTestGateway({ simulatorOptions: { eventCount: 30 } });
    const js = await startTestGateway({ simulator: jit.simulator, env: { GRAPHQL_JIT: 'false' } });
    try {
      // An X-Forwarded-For-like value where OneLogin documents one address.
      const newest = [...jit.simulator.data.events()].sort((a, b) => b.id - a.id)[0]!;
      (newest as { ipaddr: string | null }).ipaddr = '10.0.0.1, 192.168.0.7';
      const query = `{ events(first: 3, orderBy: { field: ID, direction: DESC }) { nodes { id ipAddress } } }`;
      const [a, b] = await Promise.all([jit.post({ query }), js.post({ query })]);
      expect(a).toEqual(b);
      const body = JSON.parse(a.text) as {
        data: { events: { nodes: { id: string; ipAddress: string | null }[] } };
        errors: unknown[];
      };
      expect(a.status).toBe(200);
      expect(body.data.events.nodes).toHaveLength(3);
      expect(body.data.events.nodes[0]).toEqual({ id: String(newest.id), ipAddress: null });
      expect(body.errors).toEqual([
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 74 }],
          path: ['events', 'nodes', 0, 'ipAddress'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
    } finally {
      await js.stop();
      await jit.stop();
    }
  });
});
