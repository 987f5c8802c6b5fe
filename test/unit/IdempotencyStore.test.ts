import { describe, expect, it } from '@jest/globals';
import { Keyv } from 'keyv';

import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from '../../src/cache/IdempotencyStore';
import type { IdempotencyRecord } from '../../src/cache/IdempotencyStore';
import { createSilentLogger } from '../../src/logging/createLogger';
import { createTestClock } from '../helpers/testClock';

/** The store as the gateway builds it without Redis: records and locks in process memory. */
function memoryStore(clock = createTestClock()) {
  const map = new Map<string, { expires?: number }>();
  // As createCacheStores builds it without Redis: values kept as objects.
  const records = new Keyv({
    store: map,
    namespace: 'test:idempotency',
    serialize: undefined,
    deserialize: undefined,
  });
  const store = new IdempotencyStore({
    records,
    namespace: 'test',
    lockTtlMs: 25_000,
    logger: createSilentLogger(),
    now: clock,
  });
  return { store, map, clock };
}

const UNKNOWN: IdempotencyRecord = {
  state: 'unknown',
  fingerprint: 'f',
  firstSeenAt: 0,
  writes: [{ sentAt: 0, answeredAt: 10 }],
};

describe('IdempotencyStore (in memory)', () => {
  it('scopes a key to its caller, and keeps neither in the store key as given', () => {
    const { store } = memoryStore();
    const key = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
    expect(store.scope('api-key:alice', key)).not.toBe(store.scope('api-key:bob', key));
    expect(store.scope('api-key:alice', key)).toBe(store.scope('api-key:alice', key));
    expect(store.scope('api-key:alice', key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lets one holder at a time lock a key, and the next one in after release', async () => {
    const { store } = memoryStore();
    const lock = await store.lock('k');
    expect(lock).not.toBeNull();
    expect(await store.lock('k')).toBeNull();
    expect(await store.lock('other')).not.toBeNull();
    await lock!.release();
    expect(await store.lock('k')).not.toBeNull();
  });

  it('frees a lock its holder never released once it expires, and an old holder cannot free the new one', async () => {
    const { store, clock } = memoryStore();
    const stale = await store.lock('k');
    clock.advance(25_001);
    const fresh = await store.lock('k');
    expect(fresh).not.toBeNull();
    await stale!.release();
    expect(await store.lock('k')).toBeNull();
  });

  it('lets a OneLogin event be claimed by one key only', async () => {
    const { store } = memoryStore();
    expect(await store.claim('700000123', 'a')).toBe(true);
    expect(await store.claim('700000123', 'a')).toBe(true);
    expect(await store.claim('700000123', 'b')).toBe(false);
    expect(await store.claim('700000124', 'b')).toBe(true);
  });

  it('keeps a record until 24 h after the key was first seen, however often it changes', async () => {
    const { store, map, clock } = memoryStore();
    const start = clock();
    await store.put('k', { ...UNKNOWN, firstSeenAt: start });
    clock.advance(IDEMPOTENCY_TTL_MS / 2);
    await store.put('k', { ...UNKNOWN, firstSeenAt: start, writes: [] });
    expect(await store.get('k')).toEqual({ ...UNKNOWN, firstSeenAt: start, writes: [] });
    // keyv's own expiry is by the wall clock: check the TTL it was given.
    const stored = map.get('test:idempotency:key:k');
    expect(stored?.expires).toBeDefined();
    expect(stored!.expires! - Date.now()).toBeLessThanOrEqual(IDEMPOTENCY_TTL_MS / 2 + 1000);
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });
});
