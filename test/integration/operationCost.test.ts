import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startSimulator } from '../../src/simulator';
import type { SimulatorHandle } from '../../src/simulator';
import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';

const TOKEN = 'POST /auth/oauth2/v2/token';

/** The refusal of an operation estimated at `estimated` calls, with the default maximum of 50. */
function refusal(estimated: number): GraphQLResponse {
  return {
    errors: [
      {
        message:
          `This operation can make up to ${estimated} calls to OneLogin (estimated before running it), more than ` +
          "the 50 one request may make (the account's 5,000 calls an hour are shared), so nothing was sent: ask " +
          'for fewer or smaller pages (one call per 50 events), fewer nested `events`, or fewer entities at once.',
        extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED', cost: { estimated, max: 50 } },
      },
    ],
    extensions: { cost: { estimated, actual: 0, max: 50 } },
  };
}

/** `_entities` as a router sends it for `User.events`, with `count` users. */
function usersEvents(userIds: readonly string[], selection = 'userId') {
  return {
    query: `query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on User { id events(first: 5) { nodes { ${selection} } } }
      }
    }`,
    variables: { representations: userIds.map((id) => ({ __typename: 'User', id })) },
  };
}

describe('extensions.cost: the OneLogin calls an operation can make, and made', () => {
  let simulator: SimulatorHandle;
  /** Distinct users of the simulator's events, with how many events each has. */
  let users: { id: string; events: number }[];

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 2000 });
    const counts = new Map<string, number>();
    for (const event of simulator.data.events()) {
      if (event.user_id === null) continue;
      const id = String(event.user_id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    users = [...counts].map(([id, events]) => ({ id, events }));
    expect(users.length).toBeGreaterThanOrEqual(200);
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => simulator.counters.reset());

  /** What `usersEvents` answers for these users: up to 5 of each one's events. */
  const trails = (some: readonly { id: string; events: number }[]) =>
    some.map(({ id, events }) => ({
      id,
      events: { nodes: Array.from({ length: Math.min(5, events) }, () => ({ userId: id })) },
    }));

  const upstreamCalls = () =>
    Object.fromEntries(
      Object.entries(simulator.counters.snapshot().byRoute).map(([route, counts]) => [
        route,
        counts.total,
      ]),
    );

  describe('on a gateway that starts cold', () => {
    let gateway: TestGateway;

    beforeAll(async () => {
      gateway = await startTestGateway({ simulator });
    });
    afterAll(async () => {
      await gateway.stop();
    });

    it('counts the event-type catalogue while it is not loaded, and no longer once it is', async () => {
      const query = `{ events(first: 60) { nodes { id message } } }`;
      const cold = await gateway.execute<{ events: { nodes: unknown[] } }>(query);
      expect(cold).toEqual({
        data: { events: { nodes: expect.any(Array) } },
        extensions: { cost: { estimated: 2 + 1, actual: 2 + 1, max: 50 } },
      });
      expect(cold.data!.events.nodes).toHaveLength(60);
      // The token is not a call of the request's: nobody is charged for it.
      expect(upstreamCalls()).toEqual({
        [TOKEN]: 1,
        'GET /api/1/events/types': 1,
        'GET /api/1/events': 2,
      });

      simulator.counters.reset();
      const warm = await gateway.execute(query);
      expect(warm).toEqual({
        data: cold.data,
        extensions: { cost: { estimated: 2, actual: 2, max: 50 } },
      });
      expect(upstreamCalls()).toEqual({ 'GET /api/1/events': 2 });
    });

    it('estimates a look-up the event cache then answers, without a call', async () => {
      const listed = await gateway.execute<{ events: { nodes: { id: string }[] } }>(
        `{ events(first: 2) { nodes { id } } }`,
      );
      const [a, b] = listed.data!.events.nodes.map((node) => node.id);
      simulator.counters.reset();

      const result = await gateway.execute(
        `{ a: event(id: "${a}") { id } b: event(id: "${b}") { id } again: event(id: "${a}") { id } }`,
      );
      expect(result).toEqual({
        data: { a: { id: a }, b: { id: b }, again: { id: a } },
        extensions: { cost: { estimated: 2, actual: 0, max: 50 } },
      });
      expect(upstreamCalls()).toEqual({});
    });

    it('reports the cost of a partial answer, retries included (which no estimate foresees)', async () => {
      const unlisted = String(simulator.data.events()[1500]!.id);
      simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events/:id',
        times: 3,
      });
      try {
        const result = await gateway.execute(
          `{ events(first: 1) { nodes { id } } event(id: "${unlisted}") { id } }`,
        );
        expect(result).toEqual({
          data: { events: { nodes: [{ id: expect.any(String) }] }, event: null },
          errors: [
            {
              message: 'OneLogin is unavailable (HTTP 503)',
              locations: [expect.any(Object)],
              path: ['event'],
              extensions: {
                code: 'UPSTREAM_UNAVAILABLE',
                upstream: { service: 'onelogin', status: 503 },
              },
            },
          ],
          // The look-up was tried three times, and each attempt is charged.
          extensions: { cost: { estimated: 2, actual: 1 + 3, max: 50 } },
        });
        expect(upstreamCalls()).toEqual({ 'GET /api/1/events': 1, 'GET /api/1/events/:id': 3 });
      } finally {
        simulator.faults.clear();
      }
    });

    it('refuses, before any call, an operation that can make more calls than one request may', async () => {
      // 10 pages of 50, then one page for each of the 500 events' users.
      const { status, text } = await gateway.post({
        query: `{ events(first: 500) { nodes { id user { events(first: 5) { nodes { id } } } } } }`,
      });
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(10 + 500),
      });
      expect(upstreamCalls()).toEqual({});
    });

    it('reports a cost for what could call OneLogin even when nothing did', async () => {
      // The catalogue is loaded by now: reading it costs nothing, and the response says so.
      expect(await gateway.execute(`{ eventType(id: "5") { name } }`)).toEqual({
        data: { eventType: { name: 'USER_LOGGED_INTO_ONELOGIN' } },
        extensions: { cost: { estimated: 0, actual: 0, max: 50 } },
      });
      expect(
        await gateway.execute(
          `{ events(first: 0) { nodes { id } } me { events { nodes { id } } } }`,
        ),
      ).toEqual({
        data: { events: { nodes: [] }, me: null },
        extensions: { cost: { estimated: 1, actual: 0, max: 50 } },
      });
      expect(upstreamCalls()).toEqual({});
    });

    it('reports none for an operation that nothing in OneLogin backs', async () => {
      expect(
        await gateway.execute(`{ me { id } __typename __schema { queryType { name } } }`),
      ).toEqual({
        data: { me: null, __typename: 'Query', __schema: { queryType: { name: 'Query' } } },
      });
    });

    it('reports nothing for a request that never reaches an operation', async () => {
      const { status, text } = await gateway.post({ query: `{ events(first: 1) { nodes { id } }` });
      expect(status).toBe(400);
      expect(JSON.parse(text)).not.toHaveProperty('extensions');
    });
  });

  describe("a router's _entities batch of User.events", () => {
    let cold: TestGateway;
    let warm: TestGateway;

    beforeAll(async () => {
      cold = await startTestGateway({ simulator });
      warm = await startTestGateway({ simulator });
      await warm.execute(`{ eventTypes { id } }`);
    });
    afterAll(async () => {
      await cold.stop();
      await warm.stop();
    });

    it('refuses 200 users whole and up front, with one clear error and no call', async () => {
      const { status, text } = await warm.post(
        usersEvents(users.slice(0, 200).map((user) => user.id)),
      );
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(200),
      });
      expect(upstreamCalls()).toEqual({});
    });

    it('answers 50 users, right at the maximum, with one call each', async () => {
      const some = users.slice(0, 50);
      const { status, text } = await warm.post(usersEvents(some.map((user) => user.id)));
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 200,
        body: {
          data: { _entities: trails(some) },
          extensions: { cost: { estimated: 50, actual: 50, max: 50 } },
        },
      });
      expect(upstreamCalls()).toEqual({ 'GET /api/1/events': 50 });
    });

    it('refuses 51 users, one over the maximum', async () => {
      const { status, text } = await warm.post(
        usersEvents(users.slice(0, 51).map((user) => user.id)),
      );
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(51),
      });
      expect(upstreamCalls()).toEqual({});
    });

    it('counts the catalogue that messages need while it is cold', async () => {
      const ids = users.slice(0, 50).map((user) => user.id);
      const { status, text } = await cold.post(usersEvents(ids, 'userId message'));
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(50 + 1),
      });
      expect(upstreamCalls()).toEqual({});

      const answer = await warm.post(usersEvents(ids, 'userId message'));
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.text) as GraphQLResponse).extensions).toEqual({
        cost: { estimated: 50, actual: 50, max: 50 },
      });
    });
  });
});
