import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { DEMO_CREDENTIALS } from '../../src/simulator';
import { scrape, type Scrape } from '../helpers/prometheus';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';
import {
  startTestIdentityProvider,
  type TestIdentityProvider,
} from '../helpers/testIdentityProvider';

const PAGE = 'query Recent { events(first: 2) { nodes { id } } }';
const metricsURL = (gateway: TestGateway) => gateway.url.replace('/graphql', '/metrics');

describe('GET /metrics', () => {
  let idp: TestIdentityProvider;
  let gateway: TestGateway;
  let alice: Record<string, string>;

  beforeAll(async () => {
    idp = await startTestIdentityProvider();
    gateway = await startTestGateway({
      env: idp.env({ AUTH_MODE: 'jwt', RATE_LIMIT_REQUESTS_PER_MINUTE: '1000000' }),
    });
    alice = {
      authorization: `Bearer ${await idp.sign({ sub: 'alice-7f3a', scope: 'events:read' })}`,
    };
  });
  afterAll(async () => {
    await gateway.stop();
    await idp.close();
  });
  beforeEach(() => {
    gateway.simulator.faults.clear();
  });

  /** The change of every counter between two scrapes, for one metric and label set. */
  const delta = (before: Scrape, after: Scrape, name: string, labels: Record<string, string>) =>
    after.value(name, labels) - before.value(name, labels);

  it('counts GraphQL requests by operation, type and outcome, with their durations', async () => {
    const before = await scrape(metricsURL(gateway));
    await gateway.executeAs(alice, PAGE);
    await gateway.executeAs(alice, PAGE);
    await gateway.executeAs(alice, 'query Bad { events(first: -1) { nodes { id } } }');
    await gateway.executeAs(alice, 'query Typo { evnts { id } }');
    await gateway.execute(PAGE); // no token: refused before Apollo
    const after = await scrape(metricsURL(gateway));

    const requests = 'gateway_graphql_requests_total';
    expect({
      ok: delta(before, after, requests, { operation: 'Recent', type: 'query', outcome: 'OK' }),
      badInput: delta(before, after, requests, {
        operation: 'Bad',
        type: 'query',
        outcome: 'BAD_USER_INPUT',
      }),
      invalid: delta(before, after, requests, {
        operation: '[none]',
        type: 'unknown',
        outcome: 'GRAPHQL_VALIDATION_FAILED',
      }),
      unauthenticated: delta(before, after, requests, {
        operation: '[none]',
        type: 'unknown',
        outcome: 'UNAUTHENTICATED',
      }),
    }).toEqual({ ok: 2, badInput: 1, invalid: 1, unauthenticated: 1 });
    expect(after.families.get(requests)?.type).toBe('counter');

    const recent = { operation: 'Recent', type: 'query' };
    const histogram = 'gateway_graphql_request_duration_seconds';
    expect(delta(before, after, `${histogram}_count`, recent)).toBe(2);
    expect(delta(before, after, `${histogram}_bucket`, { ...recent, le: '+Inf' })).toBe(2);
    expect(after.value(`${histogram}_sum`, recent)).toBeGreaterThan(0);
    expect(after.families.get(histogram)?.type).toBe('histogram');
  });

  it("counts OneLogin calls per route as the simulator received them, with the account's rate limit", async () => {
    const before = await scrape(metricsURL(gateway));
    gateway.resetUpstreamCalls();
    await gateway.executeAs(
      alice,
      'query Walk { events(first: 3) { nodes { id eventType { name } } } }',
    );
    await gateway.executeAs(alice, 'query Types { eventTypes { id } }');
    const after = await scrape(metricsURL(gateway));

    const received = gateway.upstreamCalls();
    const counted: Record<string, number> = {};
    for (const labels of after.series('gateway_upstream_calls_total')) {
      const change = delta(before, after, 'gateway_upstream_calls_total', labels);
      if (change > 0) {
        expect(labels).toMatchObject({ status: '200', outcome: 'ok' });
        counted[labels['route'] as string] = (counted[labels['route'] as string] ?? 0) + change;
      }
    }
    expect(counted).toEqual(received);

    // The simulator's budget, as its last answer's X-RateLimit-* headers said.
    const limit = after.value('gateway_onelogin_rate_limit_limit');
    const remaining = after.value('gateway_onelogin_rate_limit_remaining');
    expect(limit).toBe(5000);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(5000);
    expect(after.value('gateway_onelogin_rate_limit_cooldown_seconds')).toBe(0);
    expect(after.families.get('gateway_onelogin_rate_limit_remaining')?.type).toBe('gauge');
  });

  it('counts a retried 503 as two calls and one retry, and the circuit of each route', async () => {
    await gateway.executeAs(alice, PAGE); // the route has a circuit
    const before = await scrape(metricsURL(gateway));
    gateway.simulator.faults.inject({
      kind: 'status',
      status: 503,
      route: 'GET /api/1/events',
      times: 1,
    });
    const result = await gateway.executeAs(
      alice,
      'query Retried { events(first: 2, filter: { eventTypeIds: ["5"] }) { nodes { id } } }',
    );
    expect(result.errors).toBeUndefined();
    const after = await scrape(metricsURL(gateway));
    const route = 'GET /api/1/events';
    expect({
      failed: delta(before, after, 'gateway_upstream_calls_total', {
        route,
        status: '503',
        outcome: 'server_error',
      }),
      retries: delta(before, after, 'gateway_upstream_retries_total', { route }),
    }).toEqual({ failed: 1, retries: 1 });
    expect(after.value('gateway_upstream_circuit_state', { route })).toBe(0);
    expect(after.series('gateway_upstream_circuit_state')).toContainEqual({ route });
  });

  it('counts cache hits and misses of the look-ups that decide a call', async () => {
    const page = await gateway.executeAs<{ events: { nodes: { id: string }[] } }>(
      alice,
      'query Seen { events(first: 1) { nodes { id } } }',
    );
    const id = page.data!.events.nodes[0]!.id;
    const before = await scrape(metricsURL(gateway));
    await gateway.executeAs(alice, `query One { event(id: "${id}") { id } }`);
    const after = await scrape(metricsURL(gateway));
    expect(
      delta(before, after, 'gateway_cache_lookups_total', { cache: 'events', result: 'hit' }),
    ).toBe(1);
    expect(
      delta(before, after, 'gateway_cache_lookups_total', { cache: 'events', result: 'miss' }),
    ).toBe(0);
  });

  it('counts token requests, and process metrics are there', async () => {
    await gateway.executeAs(alice, PAGE);
    const metrics = await scrape(metricsURL(gateway));
    expect(metrics.value('gateway_token_requests_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(
      1,
    );
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(metrics.families.has(name)).toBe(true);
    }
  });

  it('folds operation names past the first hundred into [other]', async () => {
    for (let i = 0; i < 110; i += 1) {
      await gateway.executeAs(alice, `query Made${i} { __typename }`);
    }
    const metrics = await scrape(metricsURL(gateway));
    const names = new Set(
      metrics.series('gateway_graphql_requests_total').map((labels) => labels['operation']),
    );
    expect(names.size).toBeLessThanOrEqual(100 + 3); // + [other], [none], [anonymous]
    expect(names.has('[other]')).toBe(true);
    expect(names.has('Made0')).toBe(true);
    expect(names.has('Made109')).toBe(false);
  });

  it('holds no secret, token or caller id', async () => {
    await gateway.executeAs(alice, PAGE);
    const { text } = await scrape(metricsURL(gateway));
    for (const secret of [
      DEMO_CREDENTIALS.clientSecret,
      DEMO_CREDENTIALS.apiKey,
      alice['authorization']!.slice('Bearer '.length),
      'alice-7f3a',
      gateway.simulator.url,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('METRICS_PORT and METRICS_ENABLED', () => {
  it('serves /metrics on its own port only when METRICS_PORT is set', async () => {
    const gateway = await startTestGateway({ env: { METRICS_PORT: '0' } });
    try {
      const port = gateway.gateway.metricsPort;
      expect(typeof port).toBe('number');
      expect((await fetch(metricsURL(gateway))).status).toBe(404);
      const metrics = await scrape(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.families.has('gateway_graphql_requests_total')).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });

  it('serves no metrics with METRICS_ENABLED=false', async () => {
    const gateway = await startTestGateway({ env: { METRICS_ENABLED: 'false' } });
    try {
      expect((await fetch(metricsURL(gateway))).status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });
});

describe('refusals in the metrics', () => {
  it("counts a caller's requests over its rate, and calls refused by the request's budget", async () => {
    const idp = await startTestIdentityProvider();
    const gateway = await startTestGateway({
      env: idp.env({
        AUTH_MODE: 'jwt',
        RATE_LIMIT_REQUESTS_PER_MINUTE: '3',
        UPSTREAM_CALLS_PER_REQUEST_MAX: '1',
      }),
    });
    try {
      const bob = {
        authorization: `Bearer ${await idp.sign({ sub: 'bob', scope: 'events:read' })}`,
      };
      // Two calls for one page (the catalogue, then the events): the second is refused.
      await gateway.executeAs(
        bob,
        'query Named { events(first: 2) { nodes { id eventType { name } } } }',
      );
      await gateway.executeAs(bob, '{ __typename }');
      await gateway.executeAs(bob, '{ __typename }');
      const refused = await gateway.post({ query: '{ __typename }' }, bob);
      expect(refused.status).toBe(429);
      const metrics = await scrape(metricsURL(gateway));
      expect({
        callerRequests: metrics.value('gateway_caller_refusals_total', { limit: 'requests' }),
        rateLimited: metrics.value('gateway_graphql_requests_total', {
          operation: '[none]',
          type: 'unknown',
          outcome: 'RATE_LIMITED',
        }),
        budget: metrics.value('gateway_upstream_refusals_total', { reason: 'request_budget' }),
      }).toEqual({ callerRequests: 1, rateLimited: 1, budget: 1 });
    } finally {
      await gateway.stop();
      await idp.close();
    }
  });
});
