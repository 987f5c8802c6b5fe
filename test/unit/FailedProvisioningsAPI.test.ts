import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { Keyv } from 'keyv';

import { FailedProvisioningsAPI } from '../../src/datasources/FailedProvisioningsAPI';
import { UpstreamBudget } from '../../src/domain/UpstreamBudget';
import { createSilentLogger } from '../../src/logging/createLogger';
import type { LegacyClient } from '../../src/upstream/LegacyClient';
import type { FailedProvisioningDto } from '../../src/upstream/legacyDto';

/** Ten failures on 2024-05-01, one per hour from 01:00 UTC, listed newest first as OneLogin might. */
const ITEMS: FailedProvisioningDto[] = Array.from({ length: 10 }, (_unused, i) => ({
  login_id: i + 1,
  id: 500,
  created_at: `2024/05/01 ${String(i + 1).padStart(2, '0')}:00:00 +0000`,
})).reverse();

/** A fresh request budget, as each GraphQL request gets. */
const budget = () => new UpstreamBudget({ max: 100 });

const RANGE = {
  startDate: new Date('2024-05-01T00:00:00Z'),
  stopDate: new Date('2024-05-02T00:00:00Z'),
};

/** A stand-in for the legacy client that records the ranges asked for. */
function fakeClient(items: FailedProvisioningDto[] = ITEMS) {
  const calls: Array<{ startDate: string; stopDate: string }> = [];
  const client = {
    listFailedProvisionings: async (range: { startDate: string; stopDate: string }) => {
      calls.push(range);
      await new Promise((resolve) => setImmediate(resolve));
      return items;
    },
  } as unknown as LegacyClient;
  return { client, calls };
}

function api(client: LegacyClient | undefined, ttlSeconds = 60) {
  return new FailedProvisioningsAPI({
    client,
    store: new Keyv({ store: new Map() }),
    ttlSeconds,
    paging: { defaultPageSize: 4, maxPageSize: 100 },
    maxRangeDays: 31,
    logger: createSilentLogger(),
  });
}

async function rejection(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof GraphQLError)
      return { message: error.message, extensions: error.extensions };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('FailedProvisioningsAPI', () => {
  it('walks every page of a range, oldest first, for one upstream call', async () => {
    const { client, calls } = fakeClient();
    const failures = api(client);
    const logins: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await failures.listFailedProvisionings({ ...RANGE, first: 3, after }, budget());
      logins.push(...page.edges.map((edge) => edge.node.login_id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(logins).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(calls).toEqual([
      { startDate: '2024-04-30T23:59:59Z', stopDate: '2024-05-02T00:00:01Z' },
    ]);
  });

  it('shares one upstream call between concurrent requests, and between ranges that differ below a second', async () => {
    const { client, calls } = fakeClient();
    const failures = api(client);
    const pages = await Promise.all([
      failures.listFailedProvisionings({ ...RANGE, first: 2 }, budget()),
      failures.listFailedProvisionings({ ...RANGE, last: 2 }, budget()),
      failures.listFailedProvisionings(
        {
          startDate: new Date('2024-05-01T00:00:00.400Z'),
          stopDate: new Date('2024-05-01T23:59:59.900Z'),
        },
        budget(),
      ),
    ]);
    expect(pages.map((page) => page.totalCount)).toEqual([10, 10, 10]);
    expect(calls).toHaveLength(1);
  });

  it('asks OneLogin again for every request when the cache is off', async () => {
    const { client, calls } = fakeClient();
    const failures = api(client, 0);
    await failures.listFailedProvisionings({ ...RANGE, first: 2 }, budget());
    await failures.listFailedProvisionings({ ...RANGE, first: 2 }, budget());
    expect(calls).toHaveLength(2);
  });

  it('checks the arguments before asking OneLogin', async () => {
    const { client, calls } = fakeClient();
    expect(
      await rejection(api(client).listFailedProvisionings({ ...RANGE, first: 101 }, budget())),
    ).toEqual({
      message: '`first` must be a whole number from 0 to 100 (got 101).',
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
    expect(calls).toEqual([]);
  });

  it('reports an item whose date cannot be read as UPSTREAM_BAD_RESPONSE', async () => {
    const { client } = fakeClient([...ITEMS, { created_at: 'last Tuesday' }]);
    expect(await rejection(api(client).listFailedProvisionings(RANGE, budget()))).toEqual({
      message: 'OneLogin sent an answer the gateway could not read (HTTP 200)',
      extensions: {
        code: 'UPSTREAM_BAD_RESPONSE',
        upstream: { service: 'onelogin-legacy', status: 200 },
      },
    });
  });

  it('answers UPSTREAM_NOT_CONFIGURED without an API key, whatever the arguments', async () => {
    expect(
      await rejection(api(undefined).listFailedProvisionings({ ...RANGE, first: -1 }, budget())),
    ).toEqual({
      message: expect.stringContaining('set ONELOGIN_API_KEY'),
      extensions: { code: 'UPSTREAM_NOT_CONFIGURED' },
    });
  });
});
