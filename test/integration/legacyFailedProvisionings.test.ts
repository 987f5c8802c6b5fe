import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import type { FailedProvisioningRecord } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const ROUTE = 'GET /api/v1/logins/failed_provisioning.json';
const DAY = 86_400_000;

const PAGE = `
  query Page($startDate: DateTime!, $stopDate: DateTime!, $first: Int, $after: String, $last: Int, $before: String) {
    failedProvisionings(startDate: $startDate, stopDate: $stopDate, first: $first, after: $after, last: $last, before: $before) {
      edges {
        cursor
        node {
          loginId appId createdAt description errorDescription
          user { id email username firstName lastName }
        }
      }
      nodes { loginId }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
`;

interface Node {
  loginId: string | null;
  appId: string | null;
  createdAt: string;
  description: string | null;
  errorDescription: string | null;
  user: Record<string, string | null> | null;
}

interface Connection {
  edges: Array<{ cursor: string; node: Node }>;
  nodes: Array<{ loginId: string | null }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

/** OneLogin's "" means "nothing": the gateway answers null. */
const textOrNull = (value: string | null) => (value === null || value === '' ? null : value);

/** The gateway's `FailedProvisioning` for a simulator record, written out independently of the resolvers. */
function expectedNode(record: FailedProvisioningRecord): Node {
  return {
    loginId: String(record.login_id),
    appId: String(record.id),
    createdAt: new Date(record.created_at).toISOString(),
    description: textOrNull(record.description),
    errorDescription: textOrNull(record.error_description),
    user: {
      id: String(record.user.id),
      email: textOrNull(record.user.email),
      username: textOrNull(record.user.username),
      firstName: textOrNull(record.user.firstname),
      lastName: textOrNull(record.user.lastname),
    },
  };
}

describe('Query.failedProvisionings', () => {
  let gateway: TestGateway;
  let all: readonly FailedProvisioningRecord[];

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { UPSTREAM_TIMEOUT_MS: '500' } });
    all = gateway.simulator.data.failedProvisionings();
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.simulator.faults.clear();
    gateway.resetUpstreamCalls();
  });

  async function page(variables: Record<string, unknown>): Promise<Connection> {
    const result = await gateway.execute<{ failedProvisionings: Connection }>(PAGE, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.failedProvisionings;
  }

  /** The simulator's failures from `start` to `stop` (both inclusive), oldest first. */
  function between(start: string, stop: string): Node[] {
    return all
      .filter((record) => {
        const at = Date.parse(record.created_at);
        return at >= Date.parse(start) && at <= Date.parse(stop);
      })
      .map(expectedNode);
  }

  /** A range that starts and stops exactly on two of the simulator's failures, so both ends are tested. */
  function rangeOnRecords(fromIndex: number, toIndex: number) {
    return { startDate: all[fromIndex]!.created_at, stopDate: all[toIndex]!.created_at };
  }

  it('pages forwards through exactly the failures of the range, for one upstream call', async () => {
    const range = rangeOnRecords(40, 110);
    const expected = between(range.startDate, range.stopDate);
    expect(expected.length).toBeGreaterThanOrEqual(71);

    const seen: Node[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const connection = await page({ ...range, first: 8, after });
      expect(connection.totalCount).toBe(expected.length);
      expect(connection.nodes).toEqual(
        connection.edges.map((edge) => ({ loginId: edge.node.loginId })),
      );
      expect(connection.pageInfo).toEqual({
        hasPreviousPage: after !== null,
        hasNextPage: seen.length + connection.edges.length < expected.length,
        startCursor: connection.edges[0]?.cursor ?? null,
        endCursor: connection.edges[connection.edges.length - 1]?.cursor ?? null,
      });
      seen.push(...connection.edges.map((edge) => edge.node));
      pages += 1;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 8));
    expect(gateway.upstreamCalls()).toEqual({ [ROUTE]: 1 });
  });

  it('pages backwards from the newest to the same list, from the cached range', async () => {
    const range = rangeOnRecords(40, 110);
    await page({ ...range, first: 1 }); // the range is cached (and may already be from the test above)
    gateway.resetUpstreamCalls();

    const seen: Node[] = [];
    let before: string | null = null;
    for (;;) {
      const connection = await page({ ...range, last: 7, before });
      expect(connection.pageInfo.hasNextPage).toBe(before !== null);
      seen.unshift(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(seen).toEqual(between(range.startDate, range.stopDate));
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it('turns around: after a cursor forwards, then back before the same cursor', async () => {
    const range = rangeOnRecords(200, 230);
    const first = await page({ ...range, first: 10 });
    const pivot = first.edges[4]!.cursor;
    const forwards = await page({ ...range, first: 3, after: pivot });
    const backwards = await page({ ...range, last: 3, before: pivot });
    const expected = between(range.startDate, range.stopDate);
    expect(forwards.edges.map((edge) => edge.node)).toEqual(expected.slice(5, 8));
    expect(backwards.edges.map((edge) => edge.node)).toEqual(expected.slice(1, 4));
    expect(backwards.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('answers an empty range with an empty page', async () => {
    const start = new Date(Date.parse(all[0]!.created_at) - 20 * DAY).toISOString();
    const stop = new Date(Date.parse(all[0]!.created_at) - 10 * DAY).toISOString();
    expect(await page({ startDate: start, stopDate: stop })).toEqual({
      edges: [],
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 0,
    });
  });

  it('refuses a cursor of another range', async () => {
    const cursor = (await page({ ...rangeOnRecords(10, 20), first: 1 })).pageInfo.endCursor;
    gateway.resetUpstreamCalls();
    const result = await gateway.execute(PAGE, { ...rangeOnRecords(10, 21), after: cursor });
    expect(result).toEqual({
      data: null,
      extensions: cost(1, 0),
      errors: [
        expect.objectContaining({
          message:
            '`after` is a cursor from a different `startDate` or `stopDate`: page with the same range the cursor came from, or start again without `after`.',
          extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
        }),
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({});
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'a start in year 0000',
      { startDate: '0000-01-01T00:00:00Z', stopDate: '0000-01-02T00:00:00Z' },
      'startDate',
      '`startDate` (0000-01-01T00:00:00.000Z) is outside the dates OneLogin accepts: give an instant from 0001-01-01T00:00:01.000Z to 9998-12-31T23:59:58.999Z.',
    ],
    [
      'a stop before the start',
      { startDate: '2024-05-02T00:00:00Z', stopDate: '2024-05-01T23:59:59Z' },
      'stopDate',
      '`stopDate` (2024-05-01T23:59:59.000Z) must not be before `startDate` (2024-05-02T00:00:00.000Z).',
    ],
    [
      'a range wider than the maximum',
      { startDate: '2024-05-01T00:00:00Z', stopDate: '2024-06-01T00:00:01Z' },
      'stopDate',
      'The range from `startDate` to `stopDate` is longer than 31 days, the most the gateway asks OneLogin for at once: split it into several ranges.',
    ],
    [
      'a malformed cursor',
      { startDate: '2024-05-01T00:00:00Z', stopDate: '2024-05-02T00:00:00Z', after: 'page-2' },
      'after',
      '`after` is not a cursor of this connection: pass an edge `cursor`, `startCursor` or `endCursor` exactly as the gateway returned it.',
    ],
    [
      'both first and last',
      { startDate: '2024-05-01T00:00:00Z', stopDate: '2024-05-02T00:00:00Z', first: 1, last: 1 },
      'first',
      'Pass either `first` (page forwards) or `last` (page backwards), not both.',
    ],
    [
      'a page beyond the maximum size',
      { startDate: '2024-05-01T00:00:00Z', stopDate: '2024-05-02T00:00:00Z', last: 501 },
      'last',
      '`last` must be a whole number from 0 to 500 (got 501).',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT before any upstream call',
    async (_name, variables, argument, message) => {
      const result = await gateway.execute(PAGE, variables);
      expect(result).toEqual({
        data: null,
        // One range, which is never asked for.
        extensions: cost(1, 0),
        errors: [
          {
            message,
            path: ['failedProvisionings'],
            locations: [{ line: 3, column: 5 }],
            extensions: { code: 'BAD_USER_INPUT', argument },
          },
        ],
      });
      expect(gateway.upstreamCalls()).toEqual({});
    },
  );

  it.each([
    [
      { kind: 'status' as const, status: 500 as const },
      'UPSTREAM_UNAVAILABLE',
      'OneLogin is unavailable (HTTP 500)',
      500,
      3,
      150,
    ],
    [
      { kind: 'status' as const, status: 503 as const },
      'UPSTREAM_UNAVAILABLE',
      'OneLogin is unavailable (HTTP 503)',
      503,
      3,
      160,
    ],
    [
      { kind: 'truncate' as const },
      'UPSTREAM_BAD_RESPONSE',
      'OneLogin sent an answer the gateway could not read (HTTP 200)',
      200,
      3,
      170,
    ],
    [
      { kind: 'hang' as const },
      'UPSTREAM_TIMEOUT',
      'OneLogin did not answer in time',
      null,
      3,
      180,
    ],
  ])(
    'reports %j that persists after retries as %s',
    async (fault, code, message, status, calls, from) => {
      // A range of its own, so that nothing is cached.
      const range = rangeOnRecords(from, from + 5);
      gateway.simulator.faults.inject({ ...fault, route: ROUTE, times: 3 });
      const result = await gateway.execute(PAGE, range);
      expect(result).toEqual({
        data: null,
        // Each attempt is charged: retries are what no estimate foresees.
        extensions: cost(1, calls),
        errors: [
          {
            message,
            path: ['failedProvisionings'],
            locations: [{ line: 3, column: 5 }],
            extensions: { code, upstream: { service: 'onelogin-legacy', status } },
          },
        ],
      });
      expect(gateway.upstreamCalls()).toEqual({ [ROUTE]: calls });
    },
  );

  it('retries a 503 and answers when OneLogin recovers', async () => {
    const range = rangeOnRecords(120, 140);
    gateway.simulator.faults.inject({ kind: 'status', status: 503, route: ROUTE, times: 2 });
    const connection = await page({ ...range, first: 100 });
    expect(connection.edges.map((edge) => edge.node)).toEqual(
      between(range.startDate, range.stopDate),
    );
    expect(gateway.upstreamCalls()).toEqual({ [ROUTE]: 3 });
  });
});
