/**
 * The live feed's Redis backend against a real Redis: the lease fences
 * publishing, the stream is trimmed, a replica's announcement of subscribers
 * lapses by itself, and a cold start leaves a start mark.
 */
import { Writable } from 'node:stream';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import type { RedisClient } from '../../src/cache/createCacheStores';
import { coldCheckpoint } from '../../src/live/FeedBackend';
import { RedisFeedBackend } from '../../src/live/RedisFeedBackend';
import { createLogger } from '../../src/logging/createLogger';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  process.stdout.write(
    'redisFeedBackend.test.ts: REDIS_URL is not set, so the live feed in Redis is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

const logger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
});

describeWithRedis('RedisFeedBackend', () => {
  const namespace = `test-live-backend-${process.pid}-${Date.now()}`;
  let redis: RedisClient;
  const backends: RedisFeedBackend[] = [];
  const backend = (
    replicaId: string,
    options: { maxLength?: number; presenceMs?: number } = {},
  ) => {
    const made = new RedisFeedBackend(redis, {
      namespace,
      replicaId,
      maxLength: options.maxLength ?? 1000,
      maxAgeMs: 3_600_000,
      leaseMs: 500,
      presenceMs: options.presenceMs ?? 5000,
      logger,
    });
    backends.push(made);
    return made;
  };
  const event = (id: number) => ({ id, created_at: new Date().toISOString() });

  beforeAll(async () => {
    redis = createClient({ url: redisURL }) as RedisClient;
    await redis.connect();
  });

  const clear = async () => {
    const stored = await redis.keys(`${namespace}*`);
    if (stored.length > 0) await redis.del(stored);
  };

  // Each test starts from an empty feed, no checkpoint and no lease.
  beforeEach(clear);

  afterAll(async () => {
    for (const made of backends) await made.close();
    await clear();
    await redis.quit();
  });

  it('publishes only while holding the lease: another replica takes it once it lapses', async () => {
    const a = backend('a');
    const b = backend('b');
    expect(await a.lease()).toBe(true);
    expect(await b.lease()).toBe(false);
    const checkpoint = coldCheckpoint(Date.now());
    expect(await b.publish([event(1)], checkpoint)).toBe(false);
    expect(await a.publish([event(2)], checkpoint)).toBe(true);
    expect((await a.before(await a.tail(), 10, true)).map((entry) => entry.event?.id)).toEqual([2]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await b.lease()).toBe(true);
    // The old holder cannot publish any more: nothing it sends is written.
    expect(await a.publish([event(3)], checkpoint)).toBe(false);
    expect(await b.publish([event(4)], { ...checkpoint, newestCreatedAtMs: 42 })).toBe(true);
    expect((await b.before(await b.tail(), 10, true)).map((entry) => entry.event?.id)).toEqual([
      4, 2,
    ]);
    expect((await a.checkpoint())?.newestCreatedAtMs).toBe(42);
    await b.releaseLease();
    expect(await a.lease()).toBe(true);
  });

  it('reads entries after a position, waiting for them with XREAD BLOCK', async () => {
    const a = backend('reader');
    const tail = await a.tail();
    const reading = a.read(tail, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const writer = backend('writer');
    expect(await writer.lease()).toBe(true);
    await writer.publish([event(10), event(11)], coldCheckpoint(Date.now()));
    expect((await reading).map((entry) => entry.event?.id)).toEqual([10, 11]);
  });

  it('counts a replica with subscribers until its announcement lapses', async () => {
    const a = backend('present', { presenceMs: 300 });
    const b = backend('observer');
    expect(await b.anySubscribers()).toBe(false);
    await a.announce(2);
    expect(await b.anySubscribers()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await b.anySubscribers()).toBe(false);
    await a.announce(1);
    await a.announce(0);
    expect(await b.anySubscribers()).toBe(false);
  });

  it('starts a cold feed with a start mark, and leaves a fresh one alone', async () => {
    const a = backend('starter');
    const now = Date.now();
    await a.startIfCold(now, now - 1000);
    const [mark] = await a.before(await a.tail(), 1, true);
    expect(mark?.event).toBeNull();
    expect((await a.checkpoint())?.floorMs).toBe(now);
    await a.startIfCold(now + 10, now - 1000);
    expect((await a.checkpoint())?.floorMs).toBe(now);
  });

  it('trims the stream to about LIVE_STREAM_MAX_LENGTH entries', async () => {
    const a = backend('trimmer', { maxLength: 10 });
    expect(await a.lease()).toBe(true);
    for (let i = 0; i < 30; i++) {
      await a.publish(
        Array.from({ length: 10 }, (_unused, j) => event(1000 + i * 10 + j)),
        coldCheckpoint(Date.now()),
      );
    }
    // `MAXLEN ~` trims whole macro nodes (100 entries by default): about, not exactly.
    const length = await redis.xLen(`${namespace}:live:feed`);
    expect(length).toBeLessThan(300);
    expect(length).toBeGreaterThanOrEqual(10);
  });
});
