/**
 * Subscription.eventAdded through one gateway (no Redis: the process polls
 * for itself), over a real WebSocket with the graphql-ws client, against the
 * simulator: events created with `createEvent` (or appearing as time passes)
 * reach subscribers once, in order, filtered, resumable with `after`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import WebSocket from 'ws';

import {
  connectLive,
  waitFor,
  webSocketURL,
  type LiveConnection,
  liveDataNow,
  liveState,
  subscribersReach,
} from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const LIVE_ENV = {
  LIVE_POLL_INTERVAL_SECONDS: '0.2',
  LIVE_LEASE_SECONDS: '2',
};

const EVENT_ADDED = `
  subscription Live($filter: EventFilter, $after: String) {
    eventAdded(filter: $filter, after: $after) { id eventTypeId userId customMessage liveCursor }
  }
`;

const CREATE = `
  mutation Create($input: CreateEventInput!) {
    createEvent(input: $input) { event { eventTypeId customMessage } }
  }
`;

interface Delivered {
  id: string;
  eventTypeId: string;
  userId: string | null;
  customMessage: string | null;
  liveCursor: string;
}

const delivered = (results: ReadonlyArray<{ data?: unknown }>) =>
  results.map((result) => (result.data as { eventAdded: Delivered }).eventAdded);

describe('Subscription.eventAdded over GraphQL over WebSocket', () => {
  let simulator: SimulatorHandle;
  let gateway: TestGateway;
  const connections: LiveConnection[] = [];
  const connect = (options?: Parameters<typeof connectLive>[1]) => {
    const connection = connectLive(gateway.url, options);
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 500 });
    gateway = await startTestGateway({ simulator, env: LIVE_ENV });
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await subscribersReach(gateway, 0);
  });

  afterAll(async () => {
    await gateway.stop();
    await simulator.close();
  });

  it('delivers an event created with createEvent to a subscriber, with a liveCursor', async () => {
    const subscription = connect().subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 1);
    const created = await gateway.execute(CREATE, {
      input: { eventTypeId: '5', customMessage: 'live: created' },
    });
    expect(created.errors).toBeUndefined();
    const [result] = await subscription.waitForResults(1);
    const newest = simulator.data.events().at(-1);
    expect(result).toEqual({
      data: {
        eventAdded: {
          id: String(newest?.id),
          eventTypeId: '5',
          userId: null,
          customMessage: 'live: created',
          liveCursor: expect.any(String),
        },
      },
    });
  });

  it('delivers only the events that match the filter, each once and in order', async () => {
    const connection = connect();
    const logins = connection.subscribe(EVENT_ADDED, { filter: { eventTypeIds: ['5'] } });
    const everything = connection.subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 2);
    for (const [eventTypeId, customMessage] of [
      ['5', 'login 1'],
      ['6', 'failed login'],
      ['5', 'login 2'],
    ]) {
      const created = await gateway.execute(CREATE, { input: { eventTypeId, customMessage } });
      expect(created.errors).toBeUndefined();
    }
    await everything.waitForResults(3);
    await logins.waitForResults(2);
    expect(delivered(everything.results).map((event) => event.customMessage)).toEqual([
      'login 1',
      'failed login',
      'login 2',
    ]);
    expect(delivered(logins.results).map((event) => event.customMessage)).toEqual([
      'login 1',
      'login 2',
    ]);
    const ids = delivered(everything.results).map((event) => Number(event.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('resumes with after across a disconnect: no gap and no duplicate at the seam', async () => {
    const first = connect();
    const before = first.subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 1);
    simulator.live.emit(2);
    await before.waitForResults(2);
    const last = delivered(before.results)[1] as Delivered;
    await first.close();
    await subscribersReach(gateway, 0);
    // Created while nobody is subscribed: nothing polls them, the resume must find them.
    const missed = simulator.live.emit(3).map((event) => String(event.id));

    const again = connect().subscribe(EVENT_ADDED, { after: last.liveCursor });
    await subscribersReach(gateway, 1);
    await again.waitForResults(3);
    const live = simulator.live.emit(1).map((event) => String(event.id));
    await again.waitForResults(4);
    // A moment more for anything that would arrive twice.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(delivered(again.results).map((event) => event.id)).toEqual([...missed, ...live]);
  });

  it('resumes after an idle spell from OneLogin, with an edge cursor of events', async () => {
    // The event the client saw last, in a page of `events` (the data set's own are months old).
    simulator.live.emit(1);
    const page = await gateway.execute<{ events: { edges: Array<{ cursor: string }> } }>(
      '{ events(first: 1, orderBy: { field: ID, direction: DESC }) { edges { cursor } } }',
    );
    const cursor = page.data?.events.edges[0]?.cursor as string;
    const missed = simulator.live.emit(2).map((event) => String(event.id));
    // Longer than a lease and three intervals (2.6 s): the feed restarts when the subscriber comes.
    await new Promise((resolve) => setTimeout(resolve, 3200));
    gateway.resetUpstreamCalls();
    const subscription = connect().subscribe(EVENT_ADDED, { after: cursor });
    await subscription.waitForResults(2);
    await subscribersReach(gateway, 1);
    const live = simulator.live.emit(1).map((event) => String(event.id));
    await subscription.waitForResults(3);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(delivered(subscription.results).map((event) => event.id)).toEqual([...missed, ...live]);
    // From OneLogin: the edge cursor's event looked up for its creation time (the page asked for
    // no field of it, so the cache could not say), then the events since.
    expect(gateway.upstreamCalls()['GET /api/1/events/:id']).toBe(1);
  });

  it('misses nothing across a OneLogin outage, even when a new subscriber arrives meanwhile', async () => {
    const first = connect().subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 1);
    await waitFor(
      async () => (await liveState(gateway)).polling,
      10_000,
      () => 'the poller',
    );
    simulator.faults.startOutage({ kind: 'status', status: 503 });
    const during = simulator.live.emit(2).map((event) => String(event.id));
    // Longer than a lease and three intervals without a successful poll.
    await new Promise((resolve) => setTimeout(resolve, 3200));
    expect((await liveState(gateway)).lastPoll).toMatchObject({ outcome: 'failed' });
    const second = connect().subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 2);
    simulator.faults.endOutage();
    await first.waitForResults(2);
    const after = simulator.live.emit(1).map((event) => String(event.id));
    await first.waitForResults(3);
    await second.waitForResults(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(delivered(first.results).map((event) => event.id)).toEqual([...during, ...after]);
    // The newcomer joined a live feed (the poller was failing, not gone): it gets what the
    // poller publishes from then on, the outage's events included.
    expect(delivered(second.results).map((event) => event.id)).toEqual([...during, ...after]);
  });

  it('refuses a bad filter or cursor with BAD_USER_INPUT before any OneLogin call', async () => {
    gateway.resetUpstreamCalls();
    const connection = connect();
    const badType = connection.subscribe(EVENT_ADDED, { filter: { eventTypeIds: ['five'] } });
    const badCursor = connection.subscribe(EVENT_ADDED, { after: 'not-a-cursor' });
    const oldCursor = connection.subscribe(EVENT_ADDED, {
      // An Event.liveCursor of an event two days old: past LIVE_RESUME_MAX_AGE_SECONDS.
      after: Buffer.from(
        JSON.stringify({ v: 1, h: 'live', i: '700000001', t: Date.now() - 2 * 86_400_000 }),
      ).toString('base64url'),
    });
    for (const subscription of [badType, badCursor, oldCursor]) {
      expect(await subscription.ended).toEqual({ kind: 'complete' });
      // graphql-js refuses at subscribe time with errors and no `data`, then graphql-ws completes.
      expect(subscription.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
            }),
          ],
        },
      ]);
    }
    expect(badCursor.results[0]?.errors?.[0]?.message).toMatch(
      /^`after` is not a cursor of this gateway/,
    );
    expect(oldCursor.results[0]?.errors?.[0]?.message).toMatch(/^`after` has expired/);
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('refuses queries over WebSocket and subscriptions over POST', async () => {
    const query = connect().subscribe('{ eventTypes { id } }');
    expect(await query.ended).toEqual({
      kind: 'errors',
      errors: [
        expect.objectContaining({
          message:
            'Only subscriptions run over this transport: send the query by POST to /graphql.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ],
    });
    const { status, text } = await gateway.post({ query: EVENT_ADDED });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      errors: [
        {
          message:
            'Subscriptions are served at /graphql over WebSocket (graphql-ws, subprotocol graphql-transport-ws) or Server-Sent Events (`accept: text/event-stream`), not as a plain POST or GET.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  });

  it('shows the poller in /healthz while anyone subscribes, and stops polling without subscribers', async () => {
    const subscription = connect().subscribe(EVENT_ADDED);
    await subscribersReach(gateway, 1);
    // The first subscriber is announced at the next tick (at most an interval later).
    await waitFor(
      async () => (await liveState(gateway)).polling,
      10_000,
      () => 'the poller',
    );
    expect(await liveState(gateway)).toMatchObject({
      backend: 'memory',
      polling: true,
      subscribers: 1,
      // LIVE_POLL_INTERVAL_SECONDS=0.2: what the feed costs the account an hour.
      pollIntervalSeconds: 0.2,
      pollsPerHour: 18_000,
      connections: 1,
      eventStreams: 0,
    });
    subscription.stop();
    await subscribersReach(gateway, 0);
    // The tick that sees nobody (ticks run one at a time: any poll before it has ended), then
    // no call at all.
    await waitFor(
      async () => !(await liveState(gateway)).polling,
      10_000,
      () => 'no poller',
    );
    gateway.resetUpstreamCalls();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(gateway.upstreamCalls()).toEqual({});
    expect(await liveState(gateway)).toMatchObject({ polling: false, subscribers: 0 });
  });
});

describe('eventAdded: metrics, request limits and shutdown', () => {
  let simulator: SimulatorHandle;

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 200 });
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('counts subscriptions, the poller and its polls in /metrics', async () => {
    const gateway = await startTestGateway({ simulator, env: LIVE_ENV });
    const connection = connectLive(gateway.url);
    try {
      connection.subscribe(EVENT_ADDED);
      await subscribersReach(gateway, 1);
      simulator.live.emit(1);
      await waitFor(
        async () => (await liveState(gateway)).lastPoll !== null,
        10_000,
        () => 'a first poll',
      );
      const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
      expect(text).toMatch(/^gateway_live_subscriptions 1$/m);
      expect(text).toMatch(/^gateway_live_poller 1$/m);
      expect(text).toMatch(/^gateway_live_polls_total\{outcome="(published|empty)"\} [1-9]\d*$/m);
      expect(text).toMatch(/^gateway_live_last_poll_timestamp_seconds \d+(\.\d+)?$/m);
    } finally {
      await connection.close();
      await gateway.stop();
    }
  });

  it("counts the connection and each subscription against the caller's requests per minute", async () => {
    const gateway = await startTestGateway({
      simulator,
      env: { ...LIVE_ENV, RATE_LIMIT_REQUESTS_PER_MINUTE: '2' },
    });
    const connection = connectLive(gateway.url);
    try {
      const admitted = connection.subscribe(EVENT_ADDED);
      const refused = connection.subscribe(EVENT_ADDED);
      expect(await refused.ended).toEqual({
        kind: 'errors',
        errors: [
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'RATE_LIMITED' }),
          }),
        ],
      });
      await subscribersReach(gateway, 1);
      expect(admitted.results).toEqual([]);
      // A new connection is refused outright: the socket closes with 4429 and the reason.
      const refusedConnection = connectLive(gateway.url);
      const again = refusedConnection.subscribe(EVENT_ADDED);
      expect(await again.ended).toMatchObject({ kind: 'closed', code: 4429 });
      await refusedConnection.close();
    } finally {
      await connection.close();
      await gateway.stop();
    }
  });

  it('ends every subscription with LIVE_FEED_UNAVAILABLE, then closes with 1001, when the gateway stops', async () => {
    const gateway = await startTestGateway({ simulator, env: LIVE_ENV });
    const connection = connectLive(gateway.url);
    const subscription = connection.subscribe(EVENT_ADDED);
    // A second connection, with no subscription, spoken to in the protocol's own words: the
    // graphql-ws client would close it itself once its subscriptions end.
    const idle = new WebSocket(webSocketURL(gateway.url), 'graphql-transport-ws');
    const idleClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      idle.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
    );
    await new Promise<void>((resolve, reject) => {
      idle.once('error', reject);
      idle.once('open', () => idle.send(JSON.stringify({ type: 'connection_init' })));
      idle.once('message', (data) => {
        expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
        resolve();
      });
    });
    await subscribersReach(gateway, 1);
    await gateway.stop();
    const ended = await subscription.ended;
    expect(subscription.results).toEqual([
      {
        data: null,
        errors: [
          expect.objectContaining({
            message: expect.stringMatching(
              /^This gateway replica is shutting down: subscribe again/,
            ),
            extensions: { code: 'LIVE_FEED_UNAVAILABLE' },
          }),
        ],
      },
    ]);
    // graphql-ws completes the subscription after its last payload.
    expect(ended).toEqual({ kind: 'complete' });
    expect(await idleClosed).toEqual({
      code: 1001,
      reason: 'The gateway is shutting down: reconnect and resume with after.',
    });
    await connection.close();
  });
});
