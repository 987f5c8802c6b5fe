import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import {
  startTestGateway,
  type GraphQLResponse,
  type TestGateway,
} from '../helpers/startTestGateway';

/** The refusal before execution of an operation estimated at `estimated` calls, over the maximum of 3. */
function refusal(estimated: number): GraphQLResponse {
  return {
    errors: [
      {
        message:
          `This operation can make up to ${estimated} calls to OneLogin (estimated before running it), more than ` +
          "the 3 one request may make (the account's 5,000 calls an hour are shared), so nothing was sent: ask " +
          'for fewer or smaller pages (one call per 50 events), fewer nested `events`, or fewer entities at once.',
        extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED', cost: { estimated, max: 3 } },
      },
    ],
    extensions: { cost: { estimated, actual: 0, max: 3 } },
  };
}

/** The refusal at run time, by the budget, of a call beyond the maximum of 3. */
const SPENT =
  "This request needs more than 3 calls to OneLogin, the most one request may make (the account's 5,000 calls an hour are shared): ask for fewer or smaller pages, or fewer entities.";

describe('the OneLogin call budget of one request', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      // Retries beyond the budget, so that the budget is what stops them.
      env: { UPSTREAM_CALLS_PER_REQUEST_MAX: '3', UPSTREAM_RETRIES: '5' },
    });
    await gateway.execute(`{ eventTypes { id } }`); // the token and the catalogue
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => {
    gateway.resetUpstreamCalls();
    gateway.simulator.faults.clear();
  });

  describe('before execution, by the estimate', () => {
    it('counts the legacy API too: five failedProvisionings ranges are refused whole', async () => {
      const day = (d: number) => `2026-06-${String(d).padStart(2, '0')}T00:00:00Z`;
      const aliases = [1, 2, 3, 4, 5]
        .map(
          (d) =>
            `r${d}: failedProvisionings(startDate: "${day(d)}", stopDate: "${day(d + 1)}") { totalCount }`,
        )
        .join(' ');
      const { status, text } = await gateway.post({ query: `{ ${aliases} }` });
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(5),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('refuses a request that would page through more than it may', async () => {
      const { status, text } = await gateway.post({
        query: `{ a: events(first: 100) { nodes { id } } b: events(first: 100, orderBy: { field: ID, direction: ASC }) { nodes { id } } }`,
      });
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(2 + 2),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('refuses more entities than it may look up, whole, instead of failing the rest one by one', async () => {
      const ids = gateway.simulator.data
        .events()
        .slice(1000, 1005) // events no page of this file lists
        .map((event) => String(event.id));
      const { status, text } = await gateway.post({
        query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id } } }`,
        variables: { r: ids.map((id) => ({ __typename: 'Event', id })) },
      });
      expect({ status, body: JSON.parse(text) as unknown }).toEqual({
        status: 400,
        body: refusal(5),
      });
      expect(gateway.upstreamCalls()).toEqual({});
    });

    it('runs an operation right at the maximum', async () => {
      const result = await gateway.execute<{ events: { nodes: unknown[] } }>(
        `{ events(first: 150) { nodes { id } } }`,
      );
      expect(result).toEqual({
        data: { events: { nodes: expect.any(Array) } },
        extensions: { cost: { estimated: 3, actual: 3, max: 3 } },
      });
      expect(result.data!.events.nodes).toHaveLength(150);
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
    });
  });

  describe('at run time, for the calls no estimate foresees', () => {
    it('charges retries, and stops the page after them', async () => {
      // The first page takes three attempts (two 503s, then an answer), each one charged:
      // the budget is spent before the second page.
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/1/events',
        times: 2,
      });
      const result = await gateway.execute(`{ events(first: 100) { nodes { id } } }`);
      expect(result).toEqual({
        // The field is non-null: the refusal nulls the whole answer.
        data: null,
        errors: [
          {
            message: SPENT,
            locations: [{ line: 1, column: 3 }],
            path: ['events'],
            extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' },
          },
        ],
        extensions: { cost: { estimated: 2, actual: 3, max: 3 } },
      });
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
    });

    it('counts the legacy API too: a range retried three times is stopped at the fourth attempt', async () => {
      gateway.simulator.faults.inject({
        kind: 'status',
        status: 503,
        route: 'GET /api/v1/logins/failed_provisioning.json',
        times: 3,
      });
      const result = await gateway.execute(
        `{ failedProvisionings(startDate: "2026-07-01T00:00:00Z", stopDate: "2026-07-02T00:00:00Z") { totalCount } }`,
      );
      expect(result).toEqual({
        data: null,
        errors: [
          {
            message: SPENT,
            locations: [{ line: 1, column: 3 }],
            path: ['failedProvisionings'],
            extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' },
          },
        ],
        extensions: { cost: { estimated: 1, actual: 3, max: 3 } },
      });
      expect(gateway.upstreamCalls()).toEqual({
        'GET /api/v1/logins/failed_provisioning.json': 3,
      });
    });
  });
});
