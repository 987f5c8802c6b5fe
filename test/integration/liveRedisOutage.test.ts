/**
 * `eventAdded` while Redis goes away and comes back: the subscription stays
 * open, and once Redis answers again the poller goes on from its checkpoint
 * and the reader from its position, so the subscriber misses nothing and sees
 * nothing twice. Redis is reached through a TCP proxy the test can cut.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { connectLive, liveDataNow, waitFor, type LiveConnection } from '../helpers/liveClient';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  process.stdout.write(
    'liveRedisOutage.test.ts: REDIS_URL is not set, so the live feed across a Redis outage is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

/** A TCP proxy to Redis that can be cut (every connection reset, new ones refused) and restored. */
async function startCuttableProxy(target: URL): Promise<{
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      open = true;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const ids = (results: ReadonlyArray<{ data?: unknown }>) =>
  results.map((result) => (result.data as { eventAdded: { id: string } }).eventAdded.id);

describeWithRedis('eventAdded across a Redis outage', () => {
  let simulator: SimulatorHandle;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let gateway: TestGateway;
  let connection: LiveConnection;
  const namespace = `test-live-outage-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 100 });
    proxy = await startCuttableProxy(new URL(redisURL as string));
    gateway = await startTestGateway({
      simulator,
      env: {
        REDIS_URL: proxy.url,
        CACHE_NAMESPACE: namespace,
        LIVE_POLL_INTERVAL_SECONDS: '0.2',
        LIVE_LEASE_SECONDS: '2',
      },
    });
  });

  afterAll(async () => {
    await connection?.close();
    await gateway?.stop();
    await proxy?.close();
    await simulator?.close();
    const client = createClient({ url: redisURL });
    await client.connect();
    const stored = await client.keys(`${namespace}*`);
    if (stored.length > 0) await client.del(stored);
    await client.quit();
  });

  it('keeps the subscription and delivers what was created meanwhile once Redis is back', async () => {
    connection = connectLive(gateway.url);
    const subscription = connection.subscribe('subscription { eventAdded { id } }');
    await waitFor(
      async () => {
        const health = await fetch(gateway.url.replace('/graphql', '/healthz'));
        const live = ((await health.json()) as { live: { subscribers: number; polling: boolean } })
          .live;
        return live.subscribers === 1 && live.polling;
      },
      10_000,
      () => 'a subscriber and a poller',
    );
    const before = simulator.live.emit(1).map((event) => String(event.id));
    await subscription.waitForResults(1);

    proxy.cut();
    const during = simulator.live.emit(2).map((event) => String(event.id));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    proxy.restore();

    const after = simulator.live.emit(1).map((event) => String(event.id));
    await subscription.waitForResults(4, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(ids(subscription.results)).toEqual([...before, ...during, ...after]);
  }, 40_000);
});
