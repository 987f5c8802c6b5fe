import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';

import { createSilentLogger } from '../../src/logging/createLogger';
import { buildSchema, subgraphSDL } from '../../src/server/createApolloServer';
import {
  startUsersSubgraph,
  USERS_SUBGRAPH_SDL,
  type CompanyUser,
} from '../federation/startUsersSubgraph';
import { cost } from '../helpers/cost';
import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';

describe('the gateway as an Apollo Federation 2 subgraph', () => {
  let gateway: TestGateway;
  let users: { url: string; stop(): Promise<void> };
  let router: ApolloServer;
  let routerURL: string;
  const companyUsers = new Map<string, CompanyUser>();

  async function viaRouter<TData>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<TData>> {
    const response = await fetch(routerURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<TData>;
  }

  beforeAll(async () => {
    // @apollo/gateway refuses a supergraph with @authenticated/@requiresScopes,
    // which it cannot enforce; Hive Gateway's test keeps them.
    gateway = await startTestGateway({ env: { FEDERATION_AUTHORIZATION_DIRECTIVES: 'false' } });
    for (const event of gateway.simulator.data.events()) {
      if (event.user_id !== null && event.user_name) {
        const id = String(event.user_id);
        companyUsers.set(id, { id, name: event.user_name, email: `user${id}@example.com` });
      }
    }
    users = await startUsersSubgraph([...companyUsers.values()]);
    const { data } = await gateway.execute<{ _service: { sdl: string } }>(`{ _service { sdl } }`);
    const composition = composeServices([
      { name: 'onelogin-events', typeDefs: parse(data!._service.sdl), url: gateway.url },
      { name: 'users', typeDefs: parse(USERS_SUBGRAPH_SDL), url: users.url },
    ]);
    expect(composition.errors).toBeUndefined();
    const logger = createSilentLogger();
    router = new ApolloServer({
      gateway: new ApolloGateway({ supergraphSdl: composition.supergraphSdl!, logger }),
      logger,
    });
    ({ url: routerURL } = await startStandaloneServer(router, {
      listen: { port: 0, host: '127.0.0.1' },
    }));
  });
  afterAll(async () => {
    await router.stop();
    await users.stop();
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it('answers _service { sdl } with the subgraph SDL', async () => {
    const result = await gateway.execute(`{ _service { sdl } }`);
    const sdl = subgraphSDL(buildSchema({ authorizationDirectives: false }));
    expect(result).toEqual({ data: { _service: { sdl } } });
    expect(sdl).toMatch(/type Event\s+@key\(fields: "id"\)/);
    expect(sdl).not.toMatch(/@authenticated|@requiresScopes/);
    // By default the SDL declares them, for routers that enforce them.
    expect(subgraphSDL()).toMatch(/me: User @authenticated/);
    expect(subgraphSDL()).toMatch(
      /\): FailedProvisioningConnection! @requiresScopes\(scopes: \[\["provisioning:read"\]\]\)/,
    );
  });

  it("joins a user's name with their last five events' messages", async () => {
    const userId = String(
      gateway.simulator.data.events().find((event) => event.user_id !== null && event.user_name)!
        .user_id,
    );
    const direct = await gateway.execute<{ events: { nodes: { message: string | null }[] } }>(
      `query ($id: ID!) { events(filter: { userId: $id }, last: 5) { nodes { message } } }`,
      { id: userId },
    );
    const result = await viaRouter(
      `query ($id: ID!) { user(id: $id) { name events(last: 5) { nodes { message } } } }`,
      { id: userId },
    );
    expect(direct.data!.events.nodes.length).toBeGreaterThan(0);
    expect(result).toEqual({
      data: {
        user: {
          name: companyUsers.get(userId)!.name,
          events: { nodes: direct.data!.events.nodes },
        },
      },
    });
  });

  it("lists events with their users' names from the users subgraph", async () => {
    const result = await viaRouter<{
      events: { nodes: { id: string; userId: string | null; user: { name: string } | null }[] };
    }>(`{ events(first: 10) { nodes { id userId user { name } } } }`);
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.events.nodes;
    expect(nodes).toHaveLength(10);
    for (const node of nodes) {
      expect(node.user).toEqual(
        node.userId === null ? null : { name: companyUsers.get(node.userId)?.name },
      );
    }
  });

  it('resolves _entities for events and event types, batched and cache-first', async () => {
    // A replica of its own, so that no other test has warmed its event cache.
    const replica = await startTestGateway({ simulator: gateway.simulator });
    try {
      const listed = await replica.execute<{ events: { nodes: { id: string }[] } }>(
        `{ events(first: 3) { nodes { id } } }`,
      );
      const [a, b] = listed.data!.events.nodes.map((node) => node.id);
      const unlisted = String(gateway.simulator.data.events()[5]!.id);
      await replica.execute(`{ eventTypes { id } }`);
      replica.resetUpstreamCalls();

      const result = await replica.execute(
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Event { id }
            ... on EventType { id name }
          }
        }`,
        {
          representations: [
            { __typename: 'Event', id: a },
            { __typename: 'EventType', id: '5' },
            { __typename: 'Event', id: b },
            { __typename: 'EventType', id: '6' },
            { __typename: 'Event', id: unlisted },
            { __typename: 'Event', id: '1' },
          ],
        },
      );
      expect(result).toEqual({
        data: {
          _entities: [
            { id: a },
            { id: '5', name: 'USER_LOGGED_INTO_ONELOGIN' },
            { id: b },
            { id: '6', name: 'USER_FAILED_ONELOGIN_LOGIN' },
            { id: unlisted },
            null,
          ],
        },
        // Four event ids, two of them answered by the cache.
        extensions: cost(4, 2),
      });
      // The listed events came from the cache; the other two cost one GET each; the catalogue was cached.
      expect(replica.upstreamCalls()).toEqual({ 'GET /api/1/events/:id': 2 });
    } finally {
      await replica.stop();
    }
  });

  it('returns an inline trace when a router asks for one', async () => {
    const { text } = await gateway.post(
      { query: '{ eventType(id: "5") { name } }' },
      { 'apollo-federation-include-trace': 'ftv1' },
    );
    const body = JSON.parse(text) as { data: unknown; extensions?: { ftv1?: unknown } };
    expect(body.data).toEqual({ eventType: { name: 'USER_LOGGED_INTO_ONELOGIN' } });
    expect(typeof body.extensions?.ftv1).toBe('string');
  });
});
