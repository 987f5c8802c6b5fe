import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
// A dependency of @graphql-hive/gateway-runtime (Hive's own composition, the one
// Hive's dev supergraph source and registry use), not of this package.
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

import {
  startUsersSubgraph,
  USERS_SUBGRAPH_SDL,
  type CompanyUser,
} from '../federation/startUsersSubgraph';
import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

/** What reached the gateway under test from the router, and what it answered. */
interface SubgraphExchange {
  authorization: string | undefined;
  status: number;
}

/**
 * A pass-through HTTP proxy in front of the gateway under test, so the test
 * sees each request the router really sent it (its Authorization header) and
 * the answer it got back, on the wire rather than inside the router.
 */
async function startWireRecorder(target: string): Promise<{
  url: string;
  exchanges: SubgraphExchange[];
  /** The parsed body of each answer, in the order of `exchanges`. */
  answers: unknown[];
  close(): Promise<void>;
}> {
  const targetURL = new URL(target);
  const exchanges: SubgraphExchange[] = [];
  const answers: unknown[] = [];
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: targetURL.hostname,
        port: targetURL.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          exchanges.push({
            authorization: req.headers.authorization,
            status: response.statusCode ?? 0,
          });
          answers.push(parseJSON(text));
          res.writeHead(response.statusCode ?? 502, response.headers).end(text);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${targetURL.pathname}`,
    exchanges,
    answers,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Hive Gateway's runtime served by node:http on a free port. */
async function serveHive(
  runtime: GatewayRuntime,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${runtime.graphqlEndpoint}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    },
  };
}

const EVENTS_SUBGRAPH = 'onelogin-events';

describe('the gateway as a subgraph of Hive Gateway, with JWT auth in production', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let recorder: Awaited<ReturnType<typeof startWireRecorder>>;
  let users: { url: string; stop(): Promise<void> };
  let usersRecorder: Awaited<ReturnType<typeof startWireRecorder>>;
  let supergraphSdl: string;
  let hive: { url: string; close(): Promise<void> };
  const companyUsers = new Map<string, CompanyUser>();
  /** The caller of the self-scoped tokens, and two other users; each has events and a name. */
  let self: string;
  let others: [string, string];
  let readAll: string;
  let readSelf: string;

  async function via<TData>(
    url: string,
    token: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; body: GraphQLResponse<TData> }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponse<TData> };
  }
  const viaHive = <TData>(
    token: string | undefined,
    query: string,
    vars?: Record<string, unknown>,
  ) => via<TData>(hive.url, token, query, vars);
  const direct = <TData>(token: string, query: string, vars?: Record<string, unknown>) =>
    gateway.executeAs<TData>({ authorization: `Bearer ${token}` }, query, vars);

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({ env: idp.env({ NODE_ENV: 'production' }) });

    const counts = new Map<string, number>();
    for (const event of gateway.simulator.data.events()) {
      if (event.user_id === null || !event.user_name) continue;
      const id = String(event.user_id);
      companyUsers.set(id, { id, name: event.user_name, email: `user${id}@example.com` });
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const withEvents = [...counts].filter(([, count]) => count >= 3).map(([id]) => id);
    expect(withEvents.length).toBeGreaterThanOrEqual(3);
    [self, ...others] = withEvents.slice(0, 3) as [string, string, string];
    users = await startUsersSubgraph([...companyUsers.values()]);

    readAll = await idp.sign({ sub: '900001', scope: 'events:read' });
    readSelf = await idp.sign({ sub: self, scope: 'events:read:self' });

    // `_service { sdl }` needs a valid token too; any scope will do.
    const service = await direct<{ _service: { sdl: string } }>(readAll, '{ _service { sdl } }');
    const subgraphSdl = service.data!._service.sdl;
    // Composed as served: with the authorization directives.
    expect(subgraphSdl).toMatch(/me: User @authenticated/);
    expect(subgraphSdl).toMatch(
      /@requiresScopes\(scopes: \[\["events:read"\], \["events:read:self"\]\]\)/,
    );

    recorder = await startWireRecorder(gateway.url);
    usersRecorder = await startWireRecorder(users.url);
    const composition = composeServices([
      { name: EVENTS_SUBGRAPH, typeDefs: parse(subgraphSdl), url: recorder.url },
      { name: 'users', typeDefs: parse(USERS_SUBGRAPH_SDL), url: usersRecorder.url },
    ]);
    expect(composition.errors).toBeUndefined();
    supergraphSdl = composition.supergraphSdl!;
    // Hive's composition keeps them, as the supergraph's SECURITY features. Hive Gateway
    // enforces them only with `genericAuth` (not configured here): this gateway does.
    expect(supergraphSdl).toContain(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
    );
    expect(supergraphSdl).toContain('me: User @join__field(graph: ONELOGIN_EVENTS) @authenticated');
    expect(supergraphSdl).toMatch(
      /\): EventConnection @join__field\(graph: ONELOGIN_EVENTS\) @requiresScopes\(scopes: \[\["events:read"\], \["events:read:self"\]\]\)/,
    );

    hive = await serveHive(
      createGatewayRuntime({
        supergraph: supergraphSdl,
        logging: false,
        // The client's token goes to this gateway only; the users subgraph needs none.
        propagateHeaders: {
          fromClientToSubgraphs({ request, subgraphName }) {
            const authorization = request.headers.get('authorization');
            return subgraphName === EVENTS_SUBGRAPH && authorization
              ? { authorization }
              : undefined;
          },
        },
      }),
    );

    // Warm the gateway's OneLogin token and event-type catalogue, so that call counts below are the events' own.
    await viaHive(readSelf, '{ me { events(first: 1) { nodes { id message } } } }');
  });
  afterAll(async () => {
    await hive?.close();
    await recorder?.close();
    await usersRecorder?.close();
    await users?.stop();
    await gateway?.stop();
    await idp?.close();
  });
  beforeEach(() => {
    gateway.resetUpstreamCalls();
    recorder.exchanges.length = 0;
    recorder.answers.length = 0;
    usersRecorder.exchanges.length = 0;
  });

  it("answers `me` with the caller's name from the users subgraph and its own events from this one", async () => {
    const expected = await direct<{ events: unknown }>(
      readAll,
      `query ($id: ID!) { events(filter: { userId: $id }, first: 3) { nodes { id userId message } } }`,
      { id: self },
    );
    expect(expected.errors).toBeUndefined();
    gateway.resetUpstreamCalls();

    const result = await viaHive(
      readSelf,
      '{ me { id name events(first: 3) { nodes { id userId message } } } }',
    );
    expect(result).toEqual({
      status: 200,
      body: {
        data: {
          me: { id: self, name: companyUsers.get(self)!.name, events: expected.data!.events },
        },
      },
    });
    expect((expected.data!.events as { nodes: unknown[] }).nodes).toHaveLength(3);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    // `me { id events }` is one fetch from this gateway, with the token; `name`
    // one _entities fetch from the users subgraph, without it.
    expect(recorder.exchanges).toEqual([{ authorization: `Bearer ${readSelf}`, status: 200 }]);
    expect(usersRecorder.exchanges).toEqual([{ authorization: undefined, status: 200 }]);
  });

  describe("several users' `User.events` in one request", () => {
    const query = `query ($a: ID!, $b: ID!, $c: ID!) {
      a: user(id: $a) { id name events(first: 2) { nodes { id userId } } }
      b: user(id: $b) { id name events(first: 2) { nodes { id userId } } }
      c: user(id: $c) { id name events(first: 2) { nodes { id userId } } }
    }`;
    let expectedEvents: Record<'a' | 'b' | 'c', unknown>;
    const vars = () => ({ a: self, b: others[0], c: others[1] });
    const user = (id: string, events: unknown) => ({
      id,
      name: companyUsers.get(id)!.name,
      events,
    });

    beforeAll(async () => {
      const expected = await direct<Record<'a' | 'b' | 'c', unknown>>(
        readAll,
        `query ($a: ID!, $b: ID!, $c: ID!) {
          a: events(filter: { userId: $a }, first: 2) { nodes { id userId } }
          b: events(filter: { userId: $b }, first: 2) { nodes { id userId } }
          c: events(filter: { userId: $c }, first: 2) { nodes { id userId } }
        }`,
        vars(),
      );
      expect(expected.errors).toBeUndefined();
      expectedEvents = expected.data!;
    });

    it('with events:read, has every user’s events', async () => {
      const result = await viaHive(readAll, query, vars());
      expect(result).toEqual({
        status: 200,
        body: {
          data: {
            a: user(self, expectedEvents.a),
            b: user(others[0], expectedEvents.b),
            c: user(others[1], expectedEvents.c),
          },
        },
      });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
    });

    it("with events:read:self, has the caller's own events, and FORBIDDEN for the others'", async () => {
      const result = await viaHive(readSelf, query, vars());
      const forbidden = (path: (string | number)[]) => ({
        message: `\`User.events\`: this caller may only read its own events (OneLogin user ${self}), with the scope events:read:self.`,
        path,
        extensions: { code: 'FORBIDDEN', serviceName: EVENTS_SUBGRAPH },
      });
      expect(result).toEqual({
        status: 200,
        body: {
          data: {
            a: user(self, expectedEvents.a),
            b: user(others[0], null),
            c: user(others[1], null),
          },
          // Should be at ['b', 'events'] and ['c', 'events']. Hive Gateway puts
          // every error of a batched _entities fetch at the path of the first
          // entity in the batch: @graphql-tools/batch-delegate's loader keeps
          // the first caller's `info` (graphql-hive/gateway PR #1556, open;
          // ardatan/graphql-tools#2950). It does so with
          // `__experimental__batchDelegateOptions: { maxBatchSize: 1 }` too: the
          // loader, and its first caller's info, is shared. The subgraph locates
          // them right (below): when this fails because Hive got the paths
          // right, put ['b', 'events'] and ['c', 'events'] here.
          errors: [forbidden(['a', 'events']), forbidden(['a', 'events'])],
        },
      });
      // One _entities request for the three users, and this gateway's answer to it
      // holds each error at its own representation: the second and the third.
      expect(recorder.exchanges).toEqual([{ authorization: `Bearer ${readSelf}`, status: 200 }]);
      const answer = recorder.answers[0] as GraphQLResponse<{ _entities: unknown[] }>;
      expect(answer.data).toEqual({
        _entities: [
          { __typename: 'User', events: expectedEvents.a },
          { __typename: 'User', events: null },
          { __typename: 'User', events: null },
        ],
      });
      expect(answer.errors?.map(({ path, extensions }) => ({ path, extensions }))).toEqual([
        { path: ['_entities', 1, 'events'], extensions: { code: 'FORBIDDEN' } },
        { path: ['_entities', 2, 'events'], extensions: { code: 'FORBIDDEN' } },
      ]);
      // The others' events were refused before any call to OneLogin.
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    });
  });

  describe('without a token', () => {
    const NEEDS_CREDENTIALS =
      'This gateway needs credentials: send `Authorization: Bearer <access token>`.';

    it("passes on this gateway's 401 as a GraphQL error on the field, and calls OneLogin not at all", async () => {
      const result = await viaHive(
        undefined,
        '{ me { id name events(first: 3) { nodes { id } } } }',
      );
      // The router's request got a 401 with this gateway's GraphQL error body, before any execution.
      expect(recorder.exchanges).toEqual([{ authorization: undefined, status: 401 }]);
      expect(recorder.answers).toEqual([
        { errors: [{ message: NEEDS_CREDENTIALS, extensions: { code: 'UNAUTHENTICATED' } }] },
      ]);
      // What the client sees: HTTP 200, the field the fetch was for null, and that
      // error (message and code kept) at its path, with the subgraph's name added.
      // Nothing says 401: a client tells it by extensions.code alone.
      expect(result).toEqual({
        status: 200,
        body: {
          data: { me: null },
          errors: [
            {
              message: NEEDS_CREDENTIALS,
              path: ['me'],
              extensions: { code: 'UNAUTHENTICATED', serviceName: EVENTS_SUBGRAPH },
            },
          ],
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});
      // The users subgraph was not asked for `name`: there was no `me` to ask about.
      expect(usersRecorder.exchanges).toEqual([]);
    });

    it("keeps the users subgraph's part of the answer", async () => {
      const result = await viaHive(
        undefined,
        `query ($id: ID!) { user(id: $id) { name events(first: 2) { nodes { id } } } }`,
        { id: others[0] },
      );
      expect(recorder.exchanges).toEqual([{ authorization: undefined, status: 401 }]);
      expect(usersRecorder.exchanges).toEqual([{ authorization: undefined, status: 200 }]);
      expect(result).toEqual({
        status: 200,
        body: {
          data: { user: { name: companyUsers.get(others[0])!.name, events: null } },
          errors: [
            {
              message: NEEDS_CREDENTIALS,
              path: ['user', 'events'],
              extensions: { code: 'UNAUTHENTICATED', serviceName: EVENTS_SUBGRAPH },
            },
          ],
        },
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });
  });

  describe("the client's Authorization header", () => {
    it('reaches this gateway on every request the router sends it, root fields and _entities alike', async () => {
      const other = await idp.sign({ sub: others[0], scope: 'events:read:self' });
      // `me` is the root fetch; `user(id:) { events }` is an _entities fetch after the users subgraph.
      const query = `query ($id: ID!) { me { id } user(id: $id) { events(first: 1) { nodes { userId } } } }`;
      const mine = await viaHive(readSelf, query, { id: self });
      const theirs = await viaHive(other, query, { id: others[0] });
      // Who `me` is and whose events may be read come from the token alone: only a
      // token that reached the subgraph can make them differ.
      expect(mine.body).toEqual({
        data: { me: { id: self }, user: { events: { nodes: [{ userId: self }] } } },
      });
      expect(theirs.body).toEqual({
        data: { me: { id: others[0] }, user: { events: { nodes: [{ userId: others[0] }] } } },
      });
      expect(recorder.exchanges).toEqual([
        { authorization: `Bearer ${readSelf}`, status: 200 },
        { authorization: `Bearer ${readSelf}`, status: 200 },
        { authorization: `Bearer ${other}`, status: 200 },
        { authorization: `Bearer ${other}`, status: 200 },
      ]);
      // And only there: the users subgraph never sees it.
      expect(usersRecorder.exchanges).toEqual([
        { authorization: undefined, status: 200 },
        { authorization: undefined, status: 200 },
      ]);
    });

    it('is what makes it work: a router that does not propagate it gets UNAUTHENTICATED for the same token', async () => {
      const plain = await serveHive(
        createGatewayRuntime({ supergraph: supergraphSdl, logging: false }),
      );
      try {
        const result = await via(plain.url, readSelf, '{ me { id } }');
        expect(result.body).toEqual({
          data: { me: null },
          errors: [
            {
              message:
                'This gateway needs credentials: send `Authorization: Bearer <access token>`.',
              path: ['me'],
              extensions: { code: 'UNAUTHENTICATED', serviceName: EVENTS_SUBGRAPH },
            },
          ],
        });
        expect(recorder.exchanges).toEqual([{ authorization: undefined, status: 401 }]);
      } finally {
        await plain.close();
      }
    });
  });
});
