import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  exitWithin,
  ROOT,
  startReplica,
  stopReplica,
  type Replica,
} from '../helpers/gatewayProcess';
import { TEST_NOW } from '../helpers/testClock';

const PAGE = '{ events(first: 2) { nodes { id } } }';

async function post(url: string, query: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('SIGTERM', () => {
  let simulator: SimulatorHandle;
  let replica: Replica | undefined;

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 200 });
  });
  afterAll(async () => {
    await stopReplica(replica);
    await simulator.close();
  });

  it('turns /readyz 503 at once, serves requests through the drain delay, finishes those in flight, then exits 0', async () => {
    replica = await startReplica(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        ONELOGIN_BASE_URL: simulator.url,
        ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
        ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
        SHUTDOWN_DRAIN_DELAY_SECONDS: '1',
        LOG_LEVEL: 'info',
      },
      ROOT,
    );
    const { url, child } = replica;
    const origin = url.replace('/graphql', '');
    expect((await post(url, PAGE)).status).toBe(200); // token and catalogue in hand
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);

    // A request that will be in flight through the whole drain delay (its upstream call takes 1.6 s).
    simulator.faults.inject({ kind: 'delay', ms: 1600, route: 'GET /api/1/events' });
    const inFlight = post(url, PAGE);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const signalled = performance.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await fetch(`${origin}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({
      status: 503,
      body: { status: 'draining' },
    });
    // /healthz, kept for older probes, stays 200 and says it is draining.
    const health = await fetch(`${origin}/healthz`);
    expect({ status: health.status, body: await health.json() }).toMatchObject({
      status: 200,
      body: { status: 'ok', draining: true },
    });
    // 100 ms after SIGTERM a new request is still served (load balancers have not caught up yet).
    const during = await post(url, '{ eventType(id: "5") { name } }');
    expect(during).toEqual({
      status: 200,
      body: {
        data: { eventType: { name: 'USER_LOGGED_INTO_ONELOGIN' } },
        extensions: expect.anything(),
      },
    });

    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(
      (finished.body as { data: { events: { nodes: unknown[] } } }).data.events.nodes,
    ).toHaveLength(2);

    expect(await exitWithin(child, 10_000)).toBe(0);
    // Not before the drain delay was over.
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(1000);
    await expect(fetch(`${origin}/livez`)).rejects.toThrow();
  });
});
