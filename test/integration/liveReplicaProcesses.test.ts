/**
 * Three real gateway processes (`src/index.ts`) sharing Redis: the polling one
 * is killed (SIGKILL: no goodbye, its lease must lapse) while events keep
 * coming; another takes over from the checkpoint in Redis, and the
 * subscribers on the other two miss nothing and see nothing twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { killGroup, startReplica, stopReplica, type Replica } from '../helpers/gatewayProcess';
import { connectLive, waitFor, type LiveConnection, liveDataNow } from '../helpers/liveClient';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  process.stdout.write(
    'liveReplicaProcesses.test.ts: REDIS_URL is not set, so the live poller taking over from a killed process is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

interface LiveHealth {
  polling: boolean;
  subscribers: number;
}

async function live(replica: Replica): Promise<LiveHealth> {
  const response = await fetch(replica.url.replace('/graphql', '/healthz'));
  return ((await response.json()) as { live: LiveHealth }).live;
}

describeWithRedis('eventAdded when the polling gateway process is killed', () => {
  const namespace = `test-live-processes-${process.pid}-${Date.now()}`;
  let simulator: SimulatorHandle;
  let dir: string;
  let replicas: Replica[] = [];
  const connections: LiveConnection[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 200 });
    dir = mkdtempSync(path.join(tmpdir(), 'live-replicas-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ONELOGIN_BASE_URL: simulator.url,
      ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      REDIS_URL: redisURL as string,
      CACHE_NAMESPACE: namespace,
      LIVE_POLL_INTERVAL_SECONDS: '0.2',
      LIVE_LEASE_SECONDS: '1',
    };
    // The working directory is empty: no stray .env is read.
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(env, dir)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await Promise.all(replicas.map(stopReplica));
    await simulator?.close();
    const client = createClient({ url: redisURL });
    await client.connect();
    const stored = await client.keys(`${namespace}*`);
    if (stored.length > 0) await client.del(stored);
    await client.quit();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('lets another process take over once the lease lapses: no gap, no duplicate', async () => {
    const subscriptions = replicas.map((replica) => {
      const connection = connectLive(replica.url);
      connections.push(connection);
      return connection.subscribe('subscription { eventAdded { id } }');
    });
    await waitFor(
      async () => (await Promise.all(replicas.map(live))).every((state) => state.subscribers === 1),
      15_000,
      () => 'a subscriber on each replica',
    );
    await waitFor(
      async () =>
        (await Promise.all(replicas.map(live))).filter((state) => state.polling).length === 1,
      15_000,
      () => 'one poller',
    );
    const leader = (await Promise.all(replicas.map(live))).findIndex((state) => state.polling);
    const emitted: string[] = [];
    const emitting = setInterval(() => {
      for (const event of simulator.live.emit(1)) emitted.push(String(event.id));
    }, 50);
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      killGroup((replicas[leader] as Replica).child);
      // The lease (1 s) lapses, then a survivor's tick takes it and polls from the checkpoint.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    } finally {
      clearInterval(emitting);
    }
    const survivors = [0, 1, 2].filter((i) => i !== leader);
    for (const i of survivors) {
      await subscriptions[i]?.waitForResults(emitted.length, 15_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const i of survivors) {
      const ids = (subscriptions[i]?.results ?? []).map(
        (result) => (result.data as { eventAdded: { id: string } }).eventAdded.id,
      );
      expect(ids).toEqual(emitted);
    }
    const states = await Promise.all(survivors.map((i) => live(replicas[i] as Replica)));
    expect(states.filter((state) => state.polling)).toHaveLength(1);
  }, 60_000);
});
