import { describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
import { startTestGateway } from '../helpers/startTestGateway';
import { createTestClock } from '../helpers/testClock';

/** Issue 5: REST-backed fields that can fail on their own fail on their own. */
describe('partial failures', () => {
  it('returns the events, with only `message` failing, when the event-type catalogue cannot be loaded', async () => {
    const gateway = await startTestGateway({ simulatorOptions: { eventCount: 50 } });
    try {
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events/types',
        times: 20, // every try of this request fails: the page's and the field's
      });
      const result = await gateway.execute<{
        events: { nodes: { id: string; message: string | null }[] };
      }>(`{ events(first: 2) { nodes { id message } } }`);
      expect(result.data!.events.nodes.map((node) => node.message)).toEqual([null, null]);
      expect(result.data!.events.nodes.every((node) => /^\d+$/.test(node.id))).toBe(true);
      expect(result.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([
        [['events', 'nodes', 0, 'message'], 'UPSTREAM_UNAVAILABLE'],
        [['events', 'nodes', 1, 'message'], 'UPSTREAM_UNAVAILABLE'],
      ]);
    } finally {
      await gateway.stop();
    }
  });

  it('keeps serving a catalogue past its TTL while OneLogin cannot refresh it', async () => {
    const clock = createTestClock();
    const gateway = await startTestGateway({
      clock,
      simulatorOptions: { eventCount: 50 },
      env: { EVENT_TYPES_CACHE_TTL_SECONDS: '1' },
    });
    try {
      await gateway.execute(`{ eventTypes { id } }`);
      clock.advance(1100);
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events/types',
        times: 3,
      });
      gateway.resetUpstreamCalls();
      const result = await gateway.execute(`{ eventType(id: "5") { name } }`);
      // Past its TTL the catalogue counts as not loaded: one call estimated, three attempts made.
      expect(result).toEqual({
        data: { eventType: { name: 'USER_LOGGED_INTO_ONELOGIN' } },
        extensions: cost(1, 3),
      });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/types': 3 });
      gateway.resetUpstreamCalls();
      await gateway.execute(`{ eventType(id: "6") { name } }`);
      expect(gateway.upstreamCalls()).toEqual({}); // no new try on every request
    } finally {
      await gateway.stop();
    }
  });

  it('fails only the entity whose look-up failed, not the whole batch', async () => {
    const gateway = await startTestGateway({
      simulatorOptions: { eventCount: 50 },
      env: { UPSTREAM_RETRIES: '0' },
    });
    try {
      const ids = gateway.simulator.data
        .events()
        .slice(0, 4)
        .map((event) => String(event.id));
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events/:id',
      });
      const result = await gateway.execute<{ _entities: ({ id: string } | null)[] }>(
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id } } }`,
        { r: ids.map((id) => ({ __typename: 'Event', id })) },
      );
      const entities = result.data!._entities;
      expect(entities.filter((entity) => entity === null)).toHaveLength(1);
      expect(
        entities
          .filter((entity) => entity !== null)
          .map((entity) => entity!.id)
          .sort(),
      ).toEqual(ids.filter((_id, i) => entities[i] !== null).sort());
      expect(result.errors?.map((error) => error.extensions?.['code'])).toEqual([
        'UPSTREAM_UNAVAILABLE',
      ]);
      expect(gateway.upstreamCalls()['GET /api/1/events/:id']).toBe(4);
    } finally {
      await gateway.stop();
    }
  });
});
