import { spawn } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway } from '../helpers/startTestGateway';
import { TEST_NOW } from '../helpers/testClock';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    'redisCache.test.ts: REDIS_URL is not set, so the Redis cache tests are skipped.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

describeWithRedis('caches in Redis, shared by replicas', () => {
  let simulator: SimulatorHandle;
  const namespace = `test-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 500 });
  });
  afterAll(async () => {
    await simulator.close();
    const client = createClient({ url: redisURL });
    await client.connect();
    const keys = await client.keys(`${namespace}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });

  it('lets a second replica use the catalogue and the events the first one fetched', async () => {
    const env = { REDIS_URL: redisURL as string, CACHE_NAMESPACE: namespace };
    const first = await startTestGateway({ simulator, env });
    const second = await startTestGateway({ simulator, env });
    try {
      const page = await first.execute<{
        events: { nodes: { id: string; eventType: { name: string } }[] };
      }>(`query { events(first: 5) { nodes { id userName eventType { name } } } }`);
      const id = page.data!.events.nodes[3]!.id;
      // The cache is written in the background; give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 200));
      simulator.counters.reset();

      const result = await second.execute<{
        event: { id: string; userName: string | null; eventType: { name: string } };
      }>(`query ($id: ID!) { event(id: $id) { id userName eventType { name } } }`, { id });
      const record = simulator.data.events().find((event) => String(event.id) === id)!;
      expect(result).toEqual({
        data: {
          event: {
            id,
            userName: record.user_name || null,
            eventType: page.data!.events.nodes[3]!.eventType,
          },
        },
        // The estimate counts the look-up and this replica's catalogue, not what Redis holds.
        extensions: cost(2, 0),
      });
      // Neither the event nor the catalogue came from OneLogin (so no token was needed either).
      expect(second.upstreamCalls()).toEqual({});
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describeWithRedis('when Redis goes away', () => {
  it('keeps answering from OneLogin, without waiting for Redis', async () => {
    // A Redis server of this test's own, to stop mid-test.
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    try {
      await waitForRedis(port);
      const gateway = await startTestGateway({
        simulatorOptions: { eventCount: 50 },
        env: { REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_NAMESPACE: `outage-${process.pid}` },
      });
      try {
        await gateway.execute(`{ events(first: 2) { nodes { id message } } }`);
        redis.kill('SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 200));
        const started = Date.now();
        const result = await gateway.execute<{ events: { nodes: unknown[] } }>(
          `{ events(first: 2, after: null) { nodes { id message } } event(id: "1") { id } }`,
        );
        expect(result.errors).toBeUndefined();
        expect(result.data!.events.nodes).toHaveLength(2);
        expect(Date.now() - started).toBeLessThan(5000); // not waiting on the cache
      } finally {
        await gateway.stop();
      }
    } finally {
      redis.kill('SIGKILL');
    }
  });
});

describeWithRedis('when Redis is away at start', () => {
  it('serves at once from memory, says so, and attaches to Redis when it answers', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const namespace = `late-${process.pid}-${Date.now()}`;
    const started = Date.now();
    const gateway = await startTestGateway({
      simulatorOptions: { eventCount: 50 },
      env: { REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_NAMESPACE: namespace },
    });
    let redis: ReturnType<typeof spawn> | undefined;
    const health = async () =>
      (await (await fetch(new URL('/healthz', gateway.url))).json()) as Record<string, unknown>;
    try {
      // No waiting for a Redis that refuses connections.
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await health()).toEqual({
        status: 'ok',
        cache: 'redis',
        redis: 'unavailable (serving from memory)',
        rateLimit: expect.objectContaining({ limit: null, cooldownSeconds: 0, shared: 'redis' }),
        circuits: {},
        live: expect.objectContaining({ backend: 'redis', polling: false, subscribers: 0 }),
      });
      expect(gateway.logs.map((line) => JSON.parse(line) as { msg: string })).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer yet: serving with caches in process memory/,
          ),
        }),
      );

      // Meanwhile the caches work, in memory: an event seen in a list is not fetched again.
      const listed = await gateway.execute<{ events: { nodes: Array<{ id: string }> } }>(
        '{ events(first: 1) { nodes { id } } }',
      );
      const id = listed.data!.events.nodes[0]!.id;
      gateway.resetUpstreamCalls();
      expect(await gateway.execute(`{ event(id: "${id}") { id } }`)).toEqual({
        data: { event: { id } },
        extensions: cost(1, 0),
      });
      expect(gateway.upstreamCalls()).toEqual({});

      // Redis comes: the gateway attaches, says so, and caches in Redis from then on.
      redis = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      await waitForRedis(port);
      for (let i = 0; i < 100 && (await health())['redis'] !== 'connected'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await health()).toEqual({
        status: 'ok',
        cache: 'redis',
        redis: 'connected',
        rateLimit: expect.any(Object),
        circuits: {},
        live: expect.objectContaining({ backend: 'redis', subscribers: 0 }),
      });
      expect(gateway.logs.map((line) => JSON.parse(line) as { msg: string })).toContainEqual(
        expect.objectContaining({ level: 30, msg: 'Redis connected' }),
      );
      await gateway.execute(
        '{ events(first: 2, orderBy: { field: ID, direction: ASC }) { nodes { id } } }',
      );
      const client = createClient({ url: `redis://127.0.0.1:${port}` });
      await client.connect();
      const keys = await client.keys(`${namespace}:events*`);
      await client.quit();
      expect(keys.length).toBeGreaterThanOrEqual(2);
    } finally {
      await gateway.stop();
      redis?.kill('SIGKILL');
    }
  });
});

async function waitForRedis(port: number): Promise<void> {
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    socket: { reconnectStrategy: 50 },
  });
  client.on('error', () => {});
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await client.connect();
      await client.quit();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`redis-server did not start on port ${port}`);
}
