/**
 * Three gateway replicas sharing one Redis serve `eventAdded` from one poller:
 * they elect it with a lease, it publishes to a Redis stream every replica
 * reads, and when it goes away another takes over from the checkpoint in
 * Redis, so that subscribers on the other replicas miss nothing and see
 * nothing twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { connectLive, waitFor, type LiveConnection, liveDataNow } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    'liveReplicas.test.ts: REDIS_URL is not set, so the live feed shared by replicas through Redis is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

const INTERVAL_SECONDS = 0.2;
const EVENT_ADDED = 'subscription { eventAdded { id liveCursor } }';
const RESUME =
  'subscription Resume($after: String) { eventAdded(after: $after) { id liveCursor } }';
const LIST = 'GET /api/1/events';

interface LiveHealth {
  polling: boolean;
  subscribers: number;
  backend: string;
}

async function live(gateway: TestGateway): Promise<LiveHealth> {
  const response = await fetch(gateway.url.replace('/graphql', '/healthz'));
  return ((await response.json()) as { live: LiveHealth }).live;
}

const ids = (results: ReadonlyArray<{ data?: unknown }>) =>
  results.map((result) => (result.data as { eventAdded: { id: string } }).eventAdded.id);

describeWithRedis('eventAdded across three replicas sharing Redis', () => {
  let simulator: SimulatorHandle;
  let replicas: TestGateway[] = [];
  const connections: LiveConnection[] = [];
  let namespace: string;
  let run = 0;

  const startReplicas = async () => {
    run += 1;
    namespace = `test-live-${process.pid}-${Date.now()}-${run}`;
    replicas = await Promise.all(
      [0, 1, 2].map(() =>
        startTestGateway({
          simulator,
          env: {
            REDIS_URL: redisURL as string,
            CACHE_NAMESPACE: namespace,
            LIVE_POLL_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
            LIVE_LEASE_SECONDS: '1.5',
          },
        }),
      ),
    );
  };
  const connect = (gateway: TestGateway) => {
    const connection = connectLive(gateway.url);
    connections.push(connection);
    return connection;
  };
  const subscribersReach = async (counts: number[]) =>
    waitFor(
      async () => {
        const states = await Promise.all(replicas.map(live));
        return states.every((state, i) => state.subscribers === counts[i]);
      },
      10_000,
      () => `subscribers ${JSON.stringify(counts)}`,
    );
  const pollers = async () => (await Promise.all(replicas.map(live))).map((state) => state.polling);

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 300 });
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.close()));
    await Promise.all(replicas.map((replica) => replica.stop()));
    replicas = [];
    // The feed's keys expire on their own; a test leaves none behind all the same.
    const client = createClient({ url: redisURL });
    await client.connect();
    const stored = await client.keys(`${namespace}*`);
    if (stored.length > 0) await client.del(stored);
    await client.quit();
  });

  afterAll(async () => {
    await simulator.close();
  });

  it('makes the poll calls of one replica, whatever the number of subscribers on each', async () => {
    await startReplicas();
    const subscriptions = replicas.flatMap((replica) => {
      const connection = connect(replica);
      return [connection.subscribe(EVENT_ADDED), connection.subscribe(EVENT_ADDED)];
    });
    await subscribersReach([2, 2, 2]);
    await waitFor(
      async () => (await pollers()).filter(Boolean).length === 1,
      10_000,
      () => 'one poller',
    );
    simulator.counters.reset();
    const windowMs = 3000;
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const calls = simulator.counters.snapshot().byRoute[LIST]?.total ?? 0;
    // One replica polls every 0.2 s: about 15 calls in 3 s (fewer on a busy machine, since the
    // next poll waits for the last); three pollers would make about 45.
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(Math.ceil(windowMs / (INTERVAL_SECONDS * 1000)) + 2);
    expect((await pollers()).filter(Boolean)).toHaveLength(1);
    const [event] = simulator.live.emit(1);
    await Promise.all(subscriptions.map((subscription) => subscription.waitForResults(1)));
    for (const subscription of subscriptions)
      expect(ids(subscription.results)).toEqual([String(event?.id)]);
  });

  it('lets another replica take over when the poller stops: the others miss nothing and see nothing twice', async () => {
    await startReplicas();
    const subscriptions = replicas.map((replica) => connect(replica).subscribe(EVENT_ADDED));
    await subscribersReach([1, 1, 1]);
    await waitFor(
      async () => (await pollers()).filter(Boolean).length === 1,
      10_000,
      () => 'one poller',
    );
    const leader = (await pollers()).indexOf(true);
    const emitted: string[] = [];
    const emitting = setInterval(() => {
      for (const event of simulator.live.emit(1)) emitted.push(String(event.id));
    }, 50);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await (replicas[leader] as TestGateway).stop();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      clearInterval(emitting);
    }
    const survivors = [0, 1, 2].filter((i) => i !== leader);
    await waitFor(
      async () => {
        const states = await Promise.all(survivors.map((i) => live(replicas[i] as TestGateway)));
        return states.filter((state) => state.polling).length === 1;
      },
      10_000,
      () => 'a new poller',
    );
    for (const i of survivors)
      await (subscriptions[i] as (typeof subscriptions)[number]).waitForResults(emitted.length);
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const i of survivors)
      expect(ids((subscriptions[i] as (typeof subscriptions)[number]).results)).toEqual(emitted);
    // The stopped one's subscriber was told why before its connection closed.
    const stopped = subscriptions[leader] as (typeof subscriptions)[number];
    expect(stopped.results.at(-1)).toMatchObject({
      errors: [{ extensions: { code: 'LIVE_FEED_UNAVAILABLE' } }],
    });
    replicas.splice(leader, 1);
  });

  it('resumes a subscriber on another replica with after, from the shared stream', async () => {
    await startReplicas();
    const first = connect(replicas[0] as TestGateway);
    const before = first.subscribe(EVENT_ADDED);
    await subscribersReach([1, 0, 0]);
    simulator.live.emit(2);
    await before.waitForResults(2);
    const last = (before.results[1]?.data as { eventAdded: { liveCursor: string } }).eventAdded
      .liveCursor;
    // A second subscriber keeps the feed polled while the first reconnects elsewhere.
    const keeper = connect(replicas[2] as TestGateway).subscribe(EVENT_ADDED);
    await subscribersReach([1, 0, 1]);
    await first.close();
    const missed = simulator.live.emit(3).map((event) => String(event.id));
    await keeper.waitForResults(3);
    simulator.counters.reset();
    const resumed = connect(replicas[1] as TestGateway).subscribe(RESUME, { after: last });
    await resumed.waitForResults(3);
    await subscribersReach([0, 1, 1]);
    const liveIds = simulator.live.emit(1).map((event) => String(event.id));
    await resumed.waitForResults(4);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(ids(resumed.results)).toEqual([...missed, ...liveIds]);
    // From the stream: the resume itself asked OneLogin nothing (only the poller's calls).
    expect(simulator.counters.snapshot().byRoute['GET /api/1/events/:id']).toBeUndefined();
  });
});
