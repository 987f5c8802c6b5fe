/**
 * The account's OneLogin budget, governed by the gateway (limits/AccountBudget)
 * and the request's own deadline and retries (UpstreamBudget, HttpTransport):
 * through the real server over HTTP against the simulator.
 */
import { describe, expect, it } from '@jest/globals';

import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const PAGE = `{ events(first: 5) { nodes { id } } }`;

async function health(gateway: TestGateway): Promise<Record<string, unknown>> {
  return (await (await fetch(new URL('/healthz', gateway.url))).json()) as Record<string, unknown>;
}

async function withGateway(
  options: Parameters<typeof startTestGateway>[0],
  test: (gateway: TestGateway) => Promise<void>,
): Promise<void> {
  const gateway = await startTestGateway(options);
  try {
    await test(gateway);
  } finally {
    await gateway.stop();
  }
}

describe('the account’s OneLogin budget', () => {
  it('shows what OneLogin reports in /healthz: limit, remaining, reset, reserve', async () => {
    await withGateway({}, async (gateway) => {
      gateway.simulator.rateLimit.setRemaining(4321);
      await gateway.execute(PAGE);
      expect((await health(gateway))['rateLimit']).toEqual({
        limit: 5000,
        remaining: 4320,
        resetSeconds: expect.any(Number),
        reserve: 1000,
        cooldownSeconds: 0,
        shared: 'memory',
      });
    });
  });

  it('below the reserve, refuses bulk work with UPSTREAM_BUDGET_LOW and keeps serving single pages', async () => {
    await withGateway({}, async (gateway) => {
      gateway.simulator.rateLimit.setRemaining(900);
      expect((await gateway.execute(PAGE)).errors).toBeUndefined();
      gateway.resetUpstreamCalls();
      // Four pages of 50: bulk work, refused before its first call.
      const walk = await gateway.execute(`{ events(first: 200) { nodes { id } } }`);
      expect(walk).toEqual({
        data: null,
        errors: [
          {
            message: expect.stringMatching(
              /^OneLogin's hourly call budget for this account is down to 899 of 5000, below the 1000 kept for single pages and look-ups, and this request needs more \(several pages, or many entities\)\. Ask for one page, or try again after the reset in \d+ s\.$/,
            ),
            locations: [{ line: 1, column: 3 }],
            path: ['events'],
            extensions: { code: 'UPSTREAM_BUDGET_LOW', retryAfterSeconds: expect.any(Number) },
          },
        ],
        extensions: expect.anything(),
      });
      expect(gateway.upstreamCalls()).toEqual({});
      // A single page still goes through.
      const page = await gateway.execute<{ events: { nodes: unknown[] } }>(PAGE);
      expect(page.errors).toBeUndefined();
      expect(page.data!.events.nodes).toHaveLength(5);
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    });
  });

  it('below the reserve, still answers a large batch of look-ups from the cache', async () => {
    await withGateway({}, async (gateway) => {
      const listed = await gateway.execute<{ events: { nodes: Array<{ id: string }> } }>(
        `{ events(first: 20) { nodes { id } } }`,
      );
      const ids = listed.data!.events.nodes.map((node) => node.id);
      gateway.simulator.rateLimit.setRemaining(500);
      await gateway.execute(PAGE); // OneLogin reports the low budget
      gateway.resetUpstreamCalls();
      const aliases = (list: string[]) =>
        list.map((id, i) => `e${i}: event(id: "${id}") { id }`).join(' ');
      const cached = await gateway.execute(`{ ${aliases(ids.slice(0, 10))} }`);
      expect(cached).toEqual({
        data: Object.fromEntries(ids.slice(0, 10).map((id, i) => [`e${i}`, { id }])),
        extensions: expect.anything(),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });
  });

  it('after the spent-budget 429, stops calling OneLogin until the reset and says when that is', async () => {
    await withGateway({}, async (gateway) => {
      const listed = await gateway.execute<{ events: { nodes: Array<{ id: string }> } }>(PAGE);
      const cachedId = listed.data!.events.nodes[0]!.id;
      gateway.simulator.rateLimit.setRemaining(0);
      gateway.resetUpstreamCalls();
      const first = await gateway.execute(PAGE);
      expect(first.errors).toEqual([
        expect.objectContaining({
          extensions: {
            code: 'UPSTREAM_RATE_LIMITED',
            upstream: { service: 'onelogin', status: 429 },
            retryAfterSeconds: expect.any(Number),
          },
        }),
      ]);
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
      // OneLogin would answer again now: the gateway still waits for the reset it was told.
      gateway.simulator.rateLimit.reset();
      const later = await gateway.execute(
        `{ events(first: 5, orderBy: { field: ID, direction: ASC }) { nodes { id } } }`,
      );
      expect(later.errors).toEqual([
        {
          message: expect.stringMatching(
            /^OneLogin's hourly call budget for this account is spent: the gateway makes no calls to OneLogin until it resets, in \d+ s \(what the gateway has cached is still served\)\.$/,
          ),
          locations: [{ line: 1, column: 3 }],
          path: ['events'],
          extensions: {
            code: 'UPSTREAM_RATE_LIMITED',
            upstream: { service: 'onelogin', status: null },
            retryAfterSeconds: expect.any(Number),
          },
        },
      ]);
      expect(later.errors![0]!.extensions!['retryAfterSeconds']).toBeGreaterThan(3000);
      const cached = await gateway.execute(`{ event(id: "${cachedId}") { id } }`);
      expect(cached.data).toEqual({ event: { id: cachedId } });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
      expect((await health(gateway))['rateLimit']).toMatchObject({
        cooldownSeconds: expect.any(Number),
      });
      expect(
        ((await health(gateway))['rateLimit'] as { cooldownSeconds: number }).cooldownSeconds,
      ).toBeGreaterThan(3000);
    });
  });
});

describe('the request deadline', () => {
  it('bounds a nested chain of calls: the rest of the chain fails UPSTREAM_TIMEOUT, in time', async () => {
    await withGateway(
      {
        env: { UPSTREAM_REQUEST_DEADLINE_MS: '700', GRAPHQL_MAX_DEPTH: '40' },
        simulatorOptions: { eventCount: 200, latencyMs: 100 },
      },
      async (gateway) => {
        await gateway.execute(`{ eventTypes { id } }`); // token and catalogue
        gateway.resetUpstreamCalls();
        const level = (inner: string) => `events(first: 1) { nodes { user { ${inner} } } }`;
        let chain = 'id';
        for (let i = 0; i < 12; i += 1) chain = level(chain);
        const started = performance.now();
        const result = await gateway.execute(`{ ${chain} }`);
        const elapsed = performance.now() - started;
        expect(elapsed).toBeLessThan(1500);
        const calls = gateway.upstreamCalls()['GET /api/1/events'] ?? 0;
        // About 700 ms of 100 ms calls; never all twelve.
        expect(calls).toBeGreaterThanOrEqual(4);
        expect(calls).toBeLessThan(12);
        expect(result.errors).toEqual([
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'UPSTREAM_TIMEOUT' }),
          }),
        ]);
      },
    );
  });
});

describe('the retry budget', () => {
  it('keeps retries near 20 % of calls while OneLogin keeps failing', async () => {
    await withGateway(
      {
        env: {
          UPSTREAM_RETRIES: '4',
          UPSTREAM_RETRY_BUDGET_MIN_PER_10S: '0',
          UPSTREAM_RETRY_BUDGET_PERCENT: '20',
        },
      },
      async (gateway) => {
        await gateway.execute(PAGE); // token
        gateway.resetUpstreamCalls();
        gateway.simulator.faults.set({ errorRate: 1 });
        const reads = 40;
        for (let i = 0; i < reads; i += 1) {
          const result = await gateway.execute(
            `{ events(first: 5, filter: { userId: "${1000 + i}" }) { nodes { id } } }`,
          );
          expect(result.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
        }
        gateway.simulator.faults.clear();
        const calls = gateway.upstreamCalls()['GET /api/1/events'] ?? 0;
        // 40 first attempts and retries of at most 20 % of all calls (10), instead of 5 × 40.
        expect(calls).toBeGreaterThanOrEqual(reads);
        expect(calls).toBeLessThanOrEqual(reads * 1.25 + 1);
      },
    );
  });
});
