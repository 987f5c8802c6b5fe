/**
 * `eventAdded` federated into a company graph through Hive Gateway: the
 * router subscribes to this gateway over GraphQL over WebSocket (graphql-ws,
 * what Hive Gateway speaks to subgraphs), resolves `user { name }` from the
 * users subgraph for each event, and streams the result to its client over
 * Server-Sent Events.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createGatewayRuntime } from '@graphql-hive/gateway';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { startUsersSubgraph, USERS_SUBGRAPH_SDL } from '../federation/startUsersSubgraph';
import { liveDataNow, waitFor } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const EVENTS_SUBGRAPH = 'onelogin-events';
const ADA = { id: '51001', name: 'Ada Lovelace', email: 'ada@example.com' };

/** Reads `text/event-stream` events (`event:` and `data:` lines) from a response body. */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith(':'))
          .map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon), line.slice(colon + 1).trimStart()];
          }),
      ) as Record<string, string>;
      yield { event: fields['event'] ?? 'message', data: fields['data'] ?? '' };
    }
  }
}

describe('eventAdded through Hive Gateway', () => {
  let simulator: SimulatorHandle;
  let gateway: TestGateway;
  let users: { url: string; stop(): Promise<void> };
  let hive: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 100 });
    gateway = await startTestGateway({
      simulator,
      env: { LIVE_POLL_INTERVAL_SECONDS: '0.2', LIVE_LEASE_SECONDS: '2' },
    });
    users = await startUsersSubgraph([ADA]);
    const service = await gateway.execute<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const composition = composeServices([
      { name: EVENTS_SUBGRAPH, typeDefs: parse(service.data!._service.sdl), url: gateway.url },
      { name: 'users', typeDefs: parse(USERS_SUBGRAPH_SDL), url: users.url },
    ]);
    expect(composition.errors).toBeUndefined();
    expect(composition.supergraphSdl).toMatch(/type Subscription[^}]*eventAdded\(/s);
    const runtime = createGatewayRuntime({
      supergraph: composition.supergraphSdl!,
      logging: false,
      transportEntries: {
        [EVENTS_SUBGRAPH]: {
          options: { subscriptions: { kind: 'ws', location: '/graphql' } },
        },
      },
    });
    const server = http.createServer(runtime);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    hive = {
      url: `http://127.0.0.1:${port}${runtime.graphqlEndpoint}`,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await runtime.dispose();
      },
    };
  });

  afterAll(async () => {
    // This gateway first: Hive's WebSocket client, told 1001, would otherwise retry after its
    // own disposal; disposed second, it stops retrying.
    await gateway?.stop();
    await hive?.close();
    await users?.stop();
    await simulator?.close();
    // Hive's WebSocket transport closes a connection 3 s after its last subscription ends
    // (graphql-ws's lazyCloseTimeout, fixed in @graphql-mesh/transport-ws); its timer outlives
    // the runtime's disposal, so it is let run out rather than hold Jest open.
    await new Promise((resolve) => setTimeout(resolve, 3100));
  });

  it("streams each new event with its user's name from the users subgraph", async () => {
    const abort = new AbortController();
    const response = await fetch(hive.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription { eventAdded(filter: { userId: "51001" }) { id user { id name } } }',
      }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = serverSentEvents(response.body!);
    try {
      await waitFor(
        async () => {
          const health = await fetch(gateway.url.replace('/graphql', '/healthz'));
          return (
            ((await health.json()) as { live: { subscribers: number } }).live.subscribers === 1
          );
        },
        10_000,
        () => 'the router to subscribe',
      );
      const [event] = simulator.live.emit(1, { userId: Number(ADA.id) });
      let first: { event: string; data: string } | undefined;
      for await (const message of stream) {
        if (message.event === 'next') {
          first = message;
          break;
        }
      }
      expect(JSON.parse(first?.data ?? 'null')).toEqual({
        data: { eventAdded: { id: String(event?.id), user: { id: ADA.id, name: ADA.name } } },
      });
    } finally {
      abort.abort();
    }
  });
});
