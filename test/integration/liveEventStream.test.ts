/**
 * Subscription.eventAdded over GraphQL over Server-Sent Events (graphql-sse's
 * protocol, distinct connections mode) at /graphql: a request that accepts
 * `text/event-stream` is answered by its subscription's event stream. Real
 * HTTP against the simulator, read both by graphql-sse's own client and as
 * the raw stream a `curl -N` would show.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'graphql-sse';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { liveDataNow, subscribersReach, waitFor } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const EVENT_ADDED = `
  subscription Live($filter: EventFilter) { eventAdded(filter: $filter) { id userId eventTypeId } }
`;

interface StreamEvent {
  event: string;
  data: string;
}

/** An event stream as the server sent it: its status, headers and events, read as they come. */
interface RawStream {
  status: number;
  contentType: string | null;
  /** The next `count` events (ping comments skipped), waiting at most 10 s. */
  take(count: number): Promise<StreamEvent[]>;
  close(): void;
}

async function openStream(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const queue: StreamEvent[] = [];
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    async take(count) {
      const deadline = Date.now() + 10_000;
      while (queue.length < count) {
        if (!reader || Date.now() > deadline) break;
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const lines = frame.split('\n').filter((line) => !line.startsWith(':'));
          if (lines.length === 0) continue;
          const field = (name: string) =>
            lines
              .filter((line) => line.startsWith(`${name}:`))
              .map((line) => line.slice(name.length + 1).trimStart())
              .join('\n');
          queue.push({ event: field('event'), data: field('data') });
        }
      }
      return queue.splice(0, count);
    },
    close: () => controller.abort(),
  };
}

describe('Subscription.eventAdded over GraphQL over SSE', () => {
  let simulator: SimulatorHandle;
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  const streams: RawStream[] = [];
  const open = async (body: unknown, headers?: Record<string, string>) => {
    const stream = await openStream(gateway.url, body, headers);
    streams.push(stream);
    return stream;
  };
  const bearer = async (scope = 'events:read', expiresIn?: number) => ({
    authorization: `Bearer ${await idp.sign({ scope, ...(expiresIn ? { expiresIn } : {}) })}`,
  });

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 200 });
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      simulator,
      env: idp.env({
        NODE_ENV: 'production',
        LIVE_POLL_INTERVAL_SECONDS: '0.2',
        LIVE_LEASE_SECONDS: '2',
        AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '0',
      }),
    });
  });

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await subscribersReach(gateway, 0);
  });

  afterAll(async () => {
    await gateway.stop();
    await idp.close();
    await simulator.close();
  });

  it('streams each new event as a `next` event to graphql-sse’s client', async () => {
    const client = createClient({ url: gateway.url, headers: await bearer(), retryAttempts: 0 });
    const received: unknown[] = [];
    let failed: unknown;
    const unsubscribe = client.subscribe(
      { query: EVENT_ADDED, variables: { filter: { eventTypeIds: ['5'] } } },
      {
        next: (result) => received.push(result),
        error: (error) => (failed = error),
        complete: () => undefined,
      },
    );
    try {
      await subscribersReach(gateway, 1);
      simulator.live.emit(1, { eventTypeId: 6 });
      const [login] = simulator.live.emit(1, { eventTypeId: 5 });
      await waitFor(
        async () => received.length >= 1,
        10_000,
        () => 'an event',
      );
      // Only the login passed the filter (the failed login was published first).
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(failed).toBeUndefined();
      expect(received).toEqual([
        {
          data: {
            eventAdded: {
              id: String(login?.id),
              userId: login?.user_id == null ? null : String(login.user_id),
              eventTypeId: '5',
            },
          },
        },
      ]);
    } finally {
      unsubscribe();
      client.dispose();
    }
  });

  it('answers with text/event-stream: `next` frames of JSON results, as curl -N would show them', async () => {
    const stream = await open({ query: EVENT_ADDED }, await bearer());
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
    await subscribersReach(gateway, 1);
    const emitted = simulator.live.emit(2);
    const events = await stream.take(2);
    expect(events.map((event) => event.event)).toEqual(['next', 'next']);
    expect(events.map((event) => JSON.parse(event.data) as unknown)).toEqual(
      emitted.map((event) => ({
        data: {
          eventAdded: {
            id: String(event.id),
            userId: event.user_id === null ? null : String(event.user_id),
            eventTypeId: String(event.event_type_id),
          },
        },
      })),
    );
  });

  it('refuses a bad filter in the stream (`next` with BAD_USER_INPUT, then `complete`) before any OneLogin call', async () => {
    const headers = await bearer();
    gateway.resetUpstreamCalls();
    const stream = await open(
      { query: EVENT_ADDED, variables: { filter: { eventTypeIds: ['five'] } } },
      headers,
    );
    expect(stream.status).toBe(200);
    const [next, complete] = await stream.take(2);
    expect(next?.event).toBe('next');
    expect(JSON.parse(next?.data ?? '{}')).toEqual({
      errors: [
        expect.objectContaining({
          message: expect.stringContaining('filter.eventTypeIds'),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ],
    });
    expect(complete?.event).toBe('complete');
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('refuses a query: only subscriptions stream', async () => {
    const stream = await open({ query: '{ eventTypes { id } }' }, await bearer());
    expect(stream.status).toBe(200);
    const [next, complete] = await stream.take(2);
    expect(JSON.parse(next?.data ?? '{}')).toEqual({
      errors: [
        {
          message:
            'Only subscriptions run over this transport: send the query by POST to /graphql.',
          locations: [{ line: 1, column: 1 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(complete?.event).toBe('complete');
  });

  it('answers 401 without credentials, as for a query, before any stream', async () => {
    const stream = await open({ query: EVENT_ADDED });
    expect(stream.status).toBe(401);
    expect(stream.contentType).toContain('application/json');
  });

  it('ends the stream with UNAUTHENTICATED when the token expires, then `complete`', async () => {
    const stream = await open({ query: EVENT_ADDED }, await bearer('events:read', 2));
    expect(stream.status).toBe(200);
    const [next, complete] = await stream.take(2);
    expect(JSON.parse(next?.data ?? '{}')).toEqual({
      errors: [
        expect.objectContaining({
          message: expect.stringMatching(
            /^The token expired at .*: subscribe again with a new one/,
          ),
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      ],
    });
    expect(complete?.event).toBe('complete');
  });
});

describe('eventAdded over SSE when the gateway stops', () => {
  it('ends the stream with LIVE_FEED_UNAVAILABLE, then `complete`', async () => {
    const simulator = await startSimulator({ now: liveDataNow(), eventCount: 100 });
    const gateway = await startTestGateway({
      simulator,
      env: { LIVE_POLL_INTERVAL_SECONDS: '0.2', LIVE_LEASE_SECONDS: '2' },
    });
    try {
      const stream = await openStream(gateway.url, { query: EVENT_ADDED });
      expect(stream.status).toBe(200);
      await subscribersReach(gateway, 1);
      const stopped = gateway.stop();
      const [next, complete] = await stream.take(2);
      expect(JSON.parse(next?.data ?? '{}')).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(
              /^This gateway replica is shutting down: subscribe again/,
            ),
            extensions: { code: 'LIVE_FEED_UNAVAILABLE' },
          }),
        ],
      });
      expect(complete?.event).toBe('complete');
      await stopped;
    } finally {
      await gateway.stop();
      await simulator.close();
    }
  });
});
