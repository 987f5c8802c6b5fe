/**
 * The live feed itself, built as the gateway builds it (createServices, the
 * in-memory backend) against the simulator: what a subscriber that does not
 * read costs, and how it ends.
 */
import { Writable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';

import { createCacheStores, type CacheStores } from '../../src/cache/createCacheStores';
import { loadConfig } from '../../src/config/loadConfig';
import { createServices, type ServiceHandles } from '../../src/datasources/createServices';
import { planLiveSubscription } from '../../src/live/planLiveSubscription';
import { createLogger } from '../../src/logging/createLogger';
import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { waitFor, liveDataNow } from '../helpers/liveClient';

describe('LiveFeed', () => {
  let simulator: SimulatorHandle;
  let caches: CacheStores;
  let handles: ServiceHandles;

  beforeAll(async () => {
    simulator = await startSimulator({ now: liveDataNow(), eventCount: 100 });
    const config = loadConfig({
      ONELOGIN_BASE_URL: simulator.url,
      ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      LIVE_POLL_INTERVAL_SECONDS: '0.1',
      LIVE_LEASE_SECONDS: '1',
      // One page a poll, and room for one poll's events.
      LIVE_POLL_MAX_PAGES: '1',
      LIVE_SUBSCRIBER_BUFFER: '50',
    });
    const logger = createLogger({
      level: 'silent',
      destination: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    });
    caches = await createCacheStores({ config: config.cache, logger });
    handles = createServices({ config, caches, logger });
  });

  afterAll(async () => {
    await handles.close();
    await caches.close();
    await simulator.close();
  });

  const subscribe = () => {
    const { services } = handles;
    return services.live.subscribe({
      plan: planLiveSubscription({}, { ...services.liveLimits, nowMs: Date.now() }),
      capKey: undefined,
      authorize: () => true,
      budget: () => services.requestBudget(),
      createdAtOf: () => Promise.resolve(undefined),
    });
  };

  it('ends a subscriber that does not read with LIVE_SUBSCRIBER_TOO_SLOW once its buffer is full', async () => {
    const reader = await subscribe();
    const idle = await subscribe();
    // Three polls' worth: the reader keeps up, the idle one overflows at the second.
    const emitted = simulator.live.emit(120).map((event) => event.id);
    const read: Array<number | string> = [];
    for (let i = 0; i < 120; i++) {
      const item = await reader.next();
      expect(item.done).toBe(false);
      read.push((item.value as { id: number }).id);
    }
    expect(read).toEqual(emitted);
    await waitFor(
      () => handles.live.state().subscribers === 1,
      5000,
      () => 'the idle one to end',
    );
    // The events it held are dropped; it learns why at once.
    const ending = await idle.next();
    expect(ending.value).toBeInstanceOf(GraphQLError);
    expect((ending.value as GraphQLError).extensions).toEqual({ code: 'LIVE_SUBSCRIBER_TOO_SLOW' });
    expect((ending.value as GraphQLError).message).toMatch(
      /^This subscriber did not read its events fast enough: 50 waited for it \(LIVE_SUBSCRIBER_BUFFER\)/,
    );
    expect(await idle.next()).toEqual({ value: undefined, done: true });
    await reader.return?.();
    expect(handles.live.state().subscribers).toBe(0);
  });

  it('ends an idle subscriber at once when it is returned (no event needed)', async () => {
    const idle = await subscribe();
    const pending = idle.next();
    await idle.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(handles.live.state().subscribers).toBe(0);
  });
});
