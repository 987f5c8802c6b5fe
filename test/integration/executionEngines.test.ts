import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

/**
 * The gateway executes with graphql-jit by default (GRAPHQL_JIT) and with
 * graphql-js when a router asks for a trace or GRAPHQL_JIT=false. Both must
 * answer every operation identically, errors included.
 */
/**
 * What an answer is made of, for comparing two engines: the status, the body,
 * and every header except `date` (two processes answering the same request can
 * straddle a second boundary).
 */
function answer(response: { status: number; text: string; headers: Headers }) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
  return { status: response.status, text: response.text, headers };
}

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
    // The same request id for both: each answer echoes it.
    const id = { 'x-request-id': 'engines-compared' };
    const [a, b] = await Promise.all([
      jit.post({ query, variables }, id),
      js.post({ query, variables }, id),
    ]);
    expect(answer(a)).toEqual(answer(b));
  });
});

describe('values OneLogin sends', () => {
  it('carries every documented form, and a value no form can read fails only its own field, with either engine', async () => {
    const jit = await startTestGateway({ simulatorOptions: { eventCount: 30 } });
    const js = await startTestGateway({ simulator: jit.simulator, env: { GRAPHQL_JIT: 'false' } });
    try {
      const [newest, second, third] = [...jit.simulator.data.events()].sort((a, b) => b.id - a.id);
      type Mutable = { ipaddr: string | null; proxy_ip: string | null; created_at: string };
      // OneLogin's own Get Event by ID sample (API.md §3.3) and an X-Forwarded-For-like value.
      Object.assign(newest as Mutable, {
        ipaddr: '123.456.789.0',
        proxy_ip: '10.0.0.1, 192.168.0.7',
        created_at: '2017-12-05 19:13:06 UTC',
      });
      Object.assign(second as Mutable, { created_at: 'last Tuesday' });
      Object.assign(third as Mutable, { created_at: '2014/09/08 18:17:23 -0700' });
      const query = `{ events(first: 3, orderBy: { field: ID, direction: DESC }) { nodes { id createdAt ipAddress proxyIpAddress } } }`;
      const id = { 'x-request-id': 'engines-compared' };
      const [a, b] = await Promise.all([jit.post({ query }, id), js.post({ query }, id)]);
      expect(answer(a)).toEqual(answer(b));
      expect(a.status).toBe(200);
      expect(JSON.parse(a.text)).toEqual({
        data: {
          events: {
            nodes: [
              {
                id: String(newest!.id),
                createdAt: '2017-12-05T19:13:06.000Z',
                ipAddress: '123.456.789.0',
                proxyIpAddress: '10.0.0.1, 192.168.0.7',
              },
              {
                id: String(second!.id),
                createdAt: null,
                ipAddress: second!.ipaddr,
                proxyIpAddress: second!.proxy_ip,
              },
              {
                id: String(third!.id),
                createdAt: '2014-09-09T01:17:23.000Z',
                ipAddress: third!.ipaddr,
                proxyIpAddress: third!.proxy_ip,
              },
            ],
          },
        },
        errors: [
          {
            message:
              'OneLogin sent a value for this field in a form the gateway cannot read; the rest of the event is intact.',
            locations: [{ line: 1, column: 74 }],
            path: ['events', 'nodes', 1, 'createdAt'],
            extensions: {
              code: 'UPSTREAM_BAD_RESPONSE',
              upstream: { service: 'onelogin' },
            },
          },
        ],
        extensions: cost(1, 1),
      });
    } finally {
      await js.stop();
      await jit.stop();
    }
  });

  it("answers OneLogin's documented Get Event by ID sample value `ipaddr: 123.456.789.0` as the event, not an error", async () => {
    const gateway = await startTestGateway({ simulatorOptions: { eventCount: 30 } });
    try {
      const event = gateway.simulator.data.events()[0]!;
      (event as { ipaddr: string | null }).ipaddr = '123.456.789.0';
      const result = await gateway.execute(`{ event(id: "${event.id}") { id ipAddress } }`);
      expect(result).toEqual({
        data: { event: { id: String(event.id), ipAddress: '123.456.789.0' } },
        extensions: cost(1, 1),
      });
      expect(gateway.upstreamCalls()).toMatchObject({ 'GET /api/1/events/:id': 1 });
    } finally {
      await gateway.stop();
    }
  });
});
