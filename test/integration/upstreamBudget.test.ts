import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

describe('the OneLogin call budget of one request', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ env: { UPSTREAM_CALLS_PER_REQUEST_MAX: '3' } });
    await gateway.execute(`{ eventTypes { id } }`); // token and catalogue, which no request pays for
  });
  afterAll(async () => {
    await gateway.stop();
  });
  beforeEach(() => gateway.resetUpstreamCalls());

  it('counts the legacy API too: aliased failedProvisionings ranges stop at the budget', async () => {
    const day = (d: number) => `2026-06-${String(d).padStart(2, '0')}T00:00:00Z`;
    const aliases = [1, 2, 3, 4, 5]
      .map(
        (d) =>
          `r${d}: failedProvisionings(startDate: "${day(d)}", stopDate: "${day(d + 1)}") { totalCount }`,
      )
      .join(' ');
    const result = await gateway.execute(`{ ${aliases} }`);
    // The field is non-null, so the first refusal nulls the whole answer.
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message:
            "This request needs more than 3 calls to OneLogin, the most one request may make (the account's 5,000 calls an hour are shared): ask for fewer or smaller pages, or fewer entities.",
          locations: [expect.any(Object)],
          path: [expect.stringMatching(/^r[45]$/)],
          extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' },
        },
      ],
    });
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/v1/logins/failed_provisioning.json': 3 });
  });

  it('stops a request that would page through more than it may', async () => {
    const result = await gateway.execute<{ a: { nodes: unknown[] } | null }>(
      `{ a: events(first: 100) { nodes { id } } b: events(first: 100, orderBy: { field: ID, direction: ASC }) { nodes { id } } }`,
    );
    expect(result.errors).toEqual([
      {
        message:
          "This request needs more than 3 calls to OneLogin, the most one request may make (the account's 5,000 calls an hour are shared): ask for fewer or smaller pages, or fewer entities.",
        locations: [expect.any(Object)],
        path: [expect.stringMatching(/^[ab]$/)],
        extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' },
      },
    ]);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 3 });
  });

  it('looks up no more entities than it may, and fails the rest on their own', async () => {
    const ids = gateway.simulator.data
      .events()
      .slice(1000, 1005) // events no page of this file lists
      .map((event) => String(event.id));
    const result = await gateway.execute<{ _entities: ({ id: string } | null)[] }>(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id } } }`,
      { r: ids.map((id) => ({ __typename: 'Event', id })) },
    );
    expect(result.data!._entities.filter((entity) => entity !== null)).toHaveLength(3);
    expect(result.errors?.map((error) => error.extensions?.['code'])).toEqual([
      'UPSTREAM_BUDGET_EXCEEDED',
      'UPSTREAM_BUDGET_EXCEEDED',
    ]);
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events/:id': 3 });
  });
});
