/**
 * Three real gateway processes (`src/index.ts`) sharing Redis govern one
 * OneLogin account's budget together: what one replica learns from OneLogin's
 * `X-RateLimit-*` headers the others know within a second, bulk work is
 * refused below the reserve by every replica, and once the budget is spent no
 * replica calls OneLogin until the reset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { startReplica, stopReplica, type Replica } from '../helpers/gatewayProcess';
import { TEST_NOW } from '../helpers/testClock';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  process.stdout.write(
    'multiReplicaAccountBudget.test.ts: REDIS_URL is not set, so the OneLogin budget shared by replicas through Redis is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithRedis('three replicas governing one small OneLogin budget through Redis', () => {
  const namespace = `test-account-budget-${process.pid}-${Date.now()}`;
  let simulator: SimulatorHandle;
  let dir: string;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 300, rateLimitPerHour: 100 });
    dir = mkdtempSync(path.join(tmpdir(), 'budget-replicas-'));
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'none',
      ONELOGIN_BASE_URL: simulator.url,
      ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      REDIS_URL: redisURL as string,
      CACHE_NAMESPACE: namespace,
      RATE_LIMIT_REQUESTS_PER_MINUTE: '100000',
      RATE_LIMIT_UPSTREAM_CALLS_PER_HOUR: '100000',
      UPSTREAM_RESERVE_PERCENT: '20',
    };
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(env, dir)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map(stopReplica));
    await simulator?.close();
    const client = createClient({ url: redisURL });
    await client.connect();
    const stored = await client.keys(`${namespace}*`);
    if (stored.length > 0) await client.del(stored);
    await client.quit();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const calls = () => simulator.counters.snapshot().byRoute['GET /api/1/events']?.total ?? 0;

  async function ask(replica: Replica, query: string): Promise<{ codes: string[]; data: unknown }> {
    const response = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as {
      data?: unknown;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    return {
      codes: (body.errors ?? []).map((error) => error.extensions?.code ?? '?'),
      data: body.data,
    };
  }

  async function rateLimit(replica: Replica): Promise<Record<string, unknown>> {
    const health = (await (await fetch(new URL('/healthz', replica.url))).json()) as {
      rateLimit: Record<string, unknown>;
    };
    return health.rateLimit;
  }

  /** Polls `probe` until `done` holds (each replica syncs about once a second; a loaded machine is slower). */
  async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 5000;
    for (;;) {
      const value = await probe();
      if (done(value) || Date.now() > until) return value;
      await sleep(100);
    }
  }

  const page = (n: number) => `{ events(first: 5, filter: { userId: "${n}" }) { nodes { id } } }`;

  it('shows every replica the budget one of them was told', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    simulator.rateLimit.setRemaining(40);
    expect((await ask(a, page(1))).codes).toEqual([]);
    for (const replica of [b, c]) {
      expect(
        await eventually(
          () => rateLimit(replica),
          (view) => view['limit'] !== null,
        ),
      ).toEqual({
        limit: 100,
        remaining: 39,
        resetSeconds: expect.any(Number),
        reserve: 20,
        cooldownSeconds: 0,
        shared: 'redis',
      });
    }
  });

  it('refuses bulk work on every replica below the reserve, and serves single pages', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    simulator.rateLimit.setRemaining(15);
    expect((await ask(a, page(2))).codes).toEqual([]);
    for (const replica of [b, c]) {
      await eventually(
        () => rateLimit(replica),
        (view) => view['remaining'] === 14,
      );
    }
    const before = calls();
    for (const replica of [b, c]) {
      expect((await ask(replica, `{ events(first: 200) { nodes { id } } }`)).codes).toEqual([
        'UPSTREAM_BUDGET_LOW',
      ]);
    }
    expect(calls()).toBe(before);
    expect((await ask(c, page(3))).codes).toEqual([]);
    expect(calls()).toBe(before + 1);
  });

  it('once OneLogin says the budget is spent, no replica calls it until the reset', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    simulator.rateLimit.setRemaining(0);
    const before = calls();
    expect((await ask(a, page(4))).codes).toEqual(['UPSTREAM_RATE_LIMITED']);
    expect(calls()).toBe(before + 1);
    for (const replica of [b, c]) {
      await eventually(
        () => rateLimit(replica),
        (view) => (view['cooldownSeconds'] as number) > 0,
      );
    }
    // OneLogin would answer again (its budget is back); the cluster waits for the reset it was told.
    simulator.rateLimit.reset();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_unused, i) => ask([a, b, c][i % 3]!, page(100 + i))),
    );
    expect(answers.map((answer) => answer.codes)).toEqual(
      Array.from({ length: 30 }, () => ['UPSTREAM_RATE_LIMITED']),
    );
    expect(calls()).toBe(before + 1);
    for (const replica of [a, b, c]) {
      expect(((await rateLimit(replica))['cooldownSeconds'] as number) > 3000).toBe(true);
    }
  });
});
