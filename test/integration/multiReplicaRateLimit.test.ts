/**
 * Two real gateway processes (`src/index.ts`) sharing Redis count one caller's
 * requests in one bucket: RATE_LIMIT_REQUESTS_PER_MINUTE is the caller's limit
 * for the whole fleet, not per replica.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from '@keyv/redis';

import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { TEST_NOW } from '../helpers/testClock';
import { exitWithin, startReplica, stopReplica, type Replica } from '../helpers/gatewayProcess';

const redisURL = process.env['REDIS_URL'];
if (!redisURL) {
  // Printed once per run so a skipped suite is never silent.
  process.stdout.write(
    'multiReplicaRateLimit.test.ts: REDIS_URL is not set, so the rate limit shared by replicas through Redis is not tested.\n',
  );
}
const describeWithRedis = redisURL ? describe : describe.skip;

const PER_MINUTE = 10;

describeWithRedis('the requests-per-minute limit across two replicas sharing Redis', () => {
  const namespace = `test-replicas-${process.pid}-${Date.now()}`;
  const keys = { sequential: 'olgw_sequential-key', burst: 'olgw_burst-key' };
  let simulator: SimulatorHandle;
  let dir: string;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ now: TEST_NOW, eventCount: 200 });
    dir = mkdtempSync(path.join(tmpdir(), 'replicas-'));
    const keysFile = path.join(dir, 'api-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({
        keys: Object.entries(keys).map(([name, key]) => ({
          name,
          sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
          scopes: ['events:read'],
        })),
      }),
    );
    const env = {
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'api-key',
      AUTH_API_KEYS_FILE: keysFile,
      ONELOGIN_BASE_URL: simulator.url,
      ONELOGIN_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ONELOGIN_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      ONELOGIN_LEGACY_BASE_URL: simulator.url,
      ONELOGIN_API_KEY: DEMO_CREDENTIALS.apiKey,
      REDIS_URL: redisURL as string,
      CACHE_NAMESPACE: namespace,
      RATE_LIMIT_REQUESTS_PER_MINUTE: String(PER_MINUTE),
    };
    // The working directory is empty: no stray .env is read.
    replicas = await Promise.all([startReplica(env, dir), startReplica(env, dir)]);
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

  async function ask(replica: Replica, key: string): Promise<number> {
    const response = await fetch(replica.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await response.text();
    return response.status;
  }

  it('admits exactly 10 of one caller’s alternating requests to both replicas; the rest are 429', async () => {
    expect(replicas[0]!.url).not.toBe(replicas[1]!.url);
    const answers: Array<[number, number]> = [];
    for (let i = 0; i < 2 * PER_MINUTE + 4; i += 1) {
      const replica = i % 2;
      answers.push([replica, await ask(replicas[replica]!, keys.sequential)]);
    }
    expect(answers).toEqual(
      Array.from({ length: 2 * PER_MINUTE + 4 }, (_unused, i) => [
        i % 2,
        i < PER_MINUTE ? 200 : 429,
      ]),
    );
  });

  it('admits exactly 10 of a concurrent burst spread over both replicas', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_unused, i) => ask(replicas[i % 2]!, keys.burst)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(PER_MINUTE);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - PER_MINUTE);
  });

  it('keeps the buckets in Redis, under CACHE_NAMESPACE', async () => {
    const client = createClient({ url: redisURL });
    await client.connect();
    try {
      const stored = (await client.keys(`${namespace}:rate-limit:*`)).sort();
      expect(stored).toEqual([
        `${namespace}:rate-limit:requests:${PER_MINUTE}per60s:api-key:burst`,
        `${namespace}:rate-limit:requests:${PER_MINUTE}per60s:api-key:sequential`,
      ]);
    } finally {
      await client.quit();
    }
  });

  it('stops each replica on SIGTERM, as a container runtime asks it to', async () => {
    // src/index.ts stops the gateway on SIGTERM and exits 0 (see test/e2e/start.test.ts).
    for (const replica of replicas) replica.child.kill('SIGTERM');
    expect(await Promise.all(replicas.map((replica) => exitWithin(replica.child, 15_000)))).toEqual(
      [0, 0],
    );
  }, 30_000);
});
