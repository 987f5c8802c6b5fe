import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

describe('Query.eventTypes and Query.eventType', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it('lists the whole catalogue in id order, with each template’s placeholders', async () => {
    const result = await gateway.execute<{ eventTypes: unknown[] }>(
      `query { eventTypes { id name description placeholders } }`,
    );
    const expected = [...gateway.simulator.data.eventTypes()]
      .sort((a, b) => a.id - b.id)
      .map((type) => ({
        id: String(type.id),
        name: type.name ?? `EVENT_TYPE_${type.id}`,
        description: type.description,
        placeholders: type.description
          ? [...new Set([...type.description.matchAll(/%(\w+)%/g)].map((m) => m[1]))]
          : [],
      }));
    // The first request of this gateway loads the catalogue.
    expect(result).toEqual({ data: { eventTypes: expected }, extensions: cost(1, 1) });
    expect(expected).toHaveLength(539);
  });

  it('answers one type by id from the cached catalogue', async () => {
    await gateway.execute(`query { eventTypes { id } }`);
    gateway.resetUpstreamCalls();
    const result = await gateway.execute(
      `query { eventType(id: "3") { id name description placeholders } }`,
    );
    expect(result).toEqual({
      data: {
        eventType: {
          id: '3',
          name: 'USER_ASSUMED_USER',
          description: '%actor_user% assumed %user%',
          placeholders: ['actor_user', 'user'],
        },
      },
      extensions: cost(0, 0),
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('returns null for an id OneLogin does not know, after one refresh of the catalogue', async () => {
    const eager = await startTestGateway({
      simulator: gateway.simulator,
      env: { EVENT_TYPES_REFRESH_INTERVAL_SECONDS: '0' },
    });
    try {
      await eager.execute(`query { eventTypes { id } }`);
      gateway.resetUpstreamCalls();
      const result = await eager.execute(`query { eventType(id: "777777") { id } }`);
      // The refresh for an unknown id is a call no estimate foresees (at most one a refresh interval).
      expect(result).toEqual({ data: { eventType: null }, extensions: cost(0, 1) });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/types': 1 });
    } finally {
      await eager.stop();
    }
  });

  it('refreshes the catalogue for unknown ids at most once per refresh interval', async () => {
    await gateway.execute(`query { eventTypes { id } }`);
    gateway.resetUpstreamCalls();
    const result = await gateway.execute(
      `query { a: eventType(id: "777777") { id } b: eventType(id: "777778") { id } }`,
    );
    expect(result).toEqual({ data: { a: null, b: null }, extensions: cost(0, 0) });
    expect(gateway.upstreamCalls()).toEqual({}); // the catalogue was fetched less than a minute ago
  });
});
