/**
 * The simulator's account produces events as time passes (liveEventsPerMinute),
 * and `live.emit` records them on demand: each with a new highest id and
 * `created_at` = the clock, listed by `GET /api/1/events` with `since` and
 * `sort=+id` as the live feed's poller asks (API.md §3.1).
 */
import { afterEach, describe, expect, it } from '@jest/globals';

import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { waitFor } from '../helpers/liveClient';
import { FIXED_NOW, getEvents, getToken } from './helpers/simulatorClient';

describe('simulator: new events as time passes', () => {
  let simulator: SimulatorHandle | undefined;

  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('makes none by default', async () => {
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(simulator.data.events()).toHaveLength(50);
  });

  it('makes new events as time passes at liveEventsPerMinute, each newer than the last', async () => {
    simulator = await startSimulator({
      now: FIXED_NOW,
      eventCount: 50,
      liveEventsPerMinute: 6000,
    });
    const started = simulator;
    await waitFor(
      () => started.data.events().length >= 55,
      5000,
      () => 'five new events',
    );
    const events = started.data.events();
    for (let i = 1; i < events.length; i++) {
      expect((events[i] as { id: number }).id).toBeGreaterThan(
        (events[i - 1] as { id: number }).id,
      );
      expect(Date.parse((events[i] as { created_at: string }).created_at)).toBeGreaterThanOrEqual(
        Date.parse((events[i - 1] as { created_at: string }).created_at),
      );
    }
  });

  it('lists emitted events after `since` (exclusive, to the second), ascending with sort=+id', async () => {
    let now = FIXED_NOW + 10_000;
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 50, clock: () => now });
    const token = await getToken(simulator);
    const first = simulator.live.emit(2);
    now += 2_000;
    const later = simulator.live.emit(1, { userId: 4242 });
    // The docs: "created after since", precise to the second (the milliseconds are not looked at).
    const since = new Date(FIXED_NOW + 11_000).toISOString();
    const page = await getEvents(simulator, token, `since=${since}&sort=%2Bid`);
    expect(page.data.map((event) => event.id)).toEqual(later.map((event) => event.id));
    expect(page.data[0]?.user_id).toBe(4242);
    const all = await getEvents(
      simulator,
      token,
      `since=${new Date(FIXED_NOW + 9_000).toISOString()}&sort=%2Bid`,
    );
    expect(all.data.map((event) => event.id)).toEqual(
      [...first, ...later].map((event) => event.id),
    );
  });

  it('records events on POST /__simulator/live/emit and says when each was created, uncounted', async () => {
    let now = FIXED_NOW + 10_000;
    simulator = await startSimulator({ now: FIXED_NOW, eventCount: 50, clock: () => now });
    const emit = (body: string) =>
      fetch(`${(simulator as SimulatorHandle).url}/__simulator/live/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const one = await emit('{}');
    expect(one.status).toBe(200);
    const [first] = ((await one.json()) as { events: Array<{ id: number; created_at: string }> })
      .events;
    now += 1_500;
    const two = (await (await emit('{"count":2}')).json()) as {
      events: Array<{ id: number; created_at: string }>;
    };
    expect(two.events.map((event) => event.created_at)).toEqual([
      new Date(now).toISOString(),
      new Date(now).toISOString(),
    ]);
    const events = simulator.data.events();
    expect(events).toHaveLength(53);
    expect([first, ...two.events]).toEqual(
      events.slice(50).map((event) => ({ id: event.id, created_at: event.created_at })),
    );
    expect(first?.created_at).toBe(new Date(FIXED_NOW + 10_000).toISOString());
    for (const body of ['{"count":0}', '{"count":1001}', '{"count":"2"}', '[]', 'nope']) {
      expect((await emit(body)).status).toBe(400);
    }
    expect(simulator.data.events()).toHaveLength(53);
    // A control call, not OneLogin's API: never counted.
    expect(simulator.counters.snapshot().total).toBe(0);
  });

  it('refuses a rate outside 0 to 6000', async () => {
    await expect(startSimulator({ liveEventsPerMinute: 6001 })).rejects.toThrow(
      'liveEventsPerMinute must be from 0 to 6000',
    );
  });
});
