import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';

import {
  failedProvisioningConnection,
  sortByCreatedAt,
} from '../../src/domain/failedProvisioningConnection';
import { encodeFailedProvisioningCursor } from '../../src/domain/failedProvisioningCursor';
import type { FailedProvisioningsQueryInput } from '../../src/domain/failedProvisioningsQuery';
import { planFailedProvisioningsQuery } from '../../src/domain/failedProvisioningsQuery';
import type { FailedProvisioningDto } from '../../src/upstream/legacyDto';

const OPTIONS = { paging: { defaultPageSize: 2, maxPageSize: 10 }, maxRangeDays: 31 };
const RANGE = {
  startDate: new Date('2024-05-01T00:00:00.000Z'),
  stopDate: new Date('2024-05-02T00:00:00.000Z'),
};

/** A failure at `time` (UTC) on 2024-05-01, in the legacy date form (UTC-7). */
function failure(login: number, utcTime: string): FailedProvisioningDto {
  const at = new Date(`2024-05-01T${utcTime}Z`).getTime() - 7 * 3_600_000;
  const local = new Date(at).toISOString();
  return {
    login_id: login,
    id: 1,
    created_at: `${local.slice(0, 10).replace(/-/g, '/')} ${local.slice(11, 19)} -0700`,
    description: `failure ${login}`,
  };
}

/** Five failures inside the range, oldest first. */
const ITEMS = [
  failure(1, '01:00:00'),
  failure(2, '02:00:00'),
  failure(3, '03:00:00'),
  failure(4, '04:00:00'),
  failure(5, '05:00:00'),
];

function plan(paging: Partial<FailedProvisioningsQueryInput> = {}) {
  return planFailedProvisioningsQuery({ ...RANGE, ...paging }, OPTIONS);
}

/** The login ids of a page and its pageInfo flags. */
function page(paging: Partial<FailedProvisioningsQueryInput>, items = ITEMS) {
  const connection = failedProvisioningConnection(items, plan(paging));
  return {
    logins: connection.edges.map((edge) => edge.node.login_id),
    hasPreviousPage: connection.pageInfo.hasPreviousPage,
    hasNextPage: connection.pageInfo.hasNextPage,
    totalCount: connection.totalCount,
  };
}

function rejection(input: Partial<FailedProvisioningsQueryInput>) {
  try {
    planFailedProvisioningsQuery({ ...RANGE, ...input }, OPTIONS);
  } catch (error) {
    if (error instanceof GraphQLError)
      return { message: error.message, extensions: error.extensions };
    throw error;
  }
  throw new Error('expected a rejection');
}

const key = plan().key;
const cursorAt = (offset: number) => encodeFailedProvisioningCursor(key, offset);

describe('planFailedProvisioningsQuery', () => {
  it('asks OneLogin for whole seconds, one second wider on each side', () => {
    const result = planFailedProvisioningsQuery(
      {
        startDate: new Date('2024-05-01T10:00:00.250Z'),
        stopDate: new Date('2024-05-01T11:00:00.000Z'),
      },
      OPTIONS,
    );
    expect(result.upstream).toEqual({
      startDate: '2024-05-01T09:59:59Z',
      stopDate: '2024-05-01T11:00:01Z',
    });
    expect(result).toMatchObject({ mode: 'forward', count: 2, offset: null });
  });

  it('binds cursors to the exact range', () => {
    const other = planFailedProvisioningsQuery(
      { ...RANGE, stopDate: new Date('2024-05-02T00:00:00.001Z') },
      OPTIONS,
    );
    expect(other.key).not.toBe(key);
  });

  it.each<[string, Partial<FailedProvisioningsQueryInput>, string, string]>([
    [
      'a stop before the start',
      { stopDate: new Date('2024-04-30T23:59:59.999Z') },
      'stopDate',
      '`stopDate` (2024-04-30T23:59:59.999Z) must not be before `startDate` (2024-05-01T00:00:00.000Z).',
    ],
    [
      'a range wider than the maximum',
      { stopDate: new Date('2024-06-01T00:00:00.001Z') },
      'stopDate',
      'The range from `startDate` to `stopDate` is longer than 31 days, the most the gateway asks OneLogin for at once: split it into several ranges.',
    ],
    [
      'both first and last',
      { first: 1, last: 1 },
      'first',
      'Pass either `first` (page forwards) or `last` (page backwards), not both.',
    ],
    [
      'first beyond the page size',
      { first: 11 },
      'first',
      '`first` must be a whole number from 0 to 10 (got 11).',
    ],
    [
      'a negative last',
      { last: -1 },
      'last',
      '`last` must be a whole number from 0 to 10 (got -1).',
    ],
    [
      'before with first',
      { first: 1, before: 'x' },
      'before',
      '`before` goes with `last`: page forwards with `first` and `after`, backwards with `last` and `before`.',
    ],
    [
      'a cursor that is not one',
      { after: 'not-a-cursor' },
      'after',
      '`after` is not a cursor of this connection: pass an edge `cursor`, `startCursor` or `endCursor` exactly as the gateway returned it.',
    ],
    [
      "another range's cursor",
      { before: encodeFailedProvisioningCursor('another-key', 1) },
      'before',
      '`before` is a cursor from a different `startDate` or `stopDate`: page with the same range the cursor came from, or start again without `before`.',
    ],
  ])('refuses %s', (_name, input, argument, message) => {
    expect(rejection(input)).toEqual({ message, extensions: { code: 'BAD_USER_INPUT', argument } });
  });

  it('accepts a range of exactly the maximum, and a range of one instant', () => {
    expect(() => rejection({ stopDate: new Date('2024-06-01T00:00:00.000Z') })).toThrow(
      'expected a rejection',
    );
    expect(() => rejection({ stopDate: RANGE.startDate })).toThrow('expected a rejection');
  });
});

describe('failedProvisioningConnection', () => {
  it.each<[string, Partial<FailedProvisioningsQueryInput>, ReturnType<typeof page>]>([
    [
      'the first page',
      {},
      { logins: [1, 2], hasPreviousPage: false, hasNextPage: true, totalCount: 5 },
    ],
    [
      'a middle page',
      { first: 2, after: cursorAt(1) },
      { logins: [3, 4], hasPreviousPage: true, hasNextPage: true, totalCount: 5 },
    ],
    [
      'the last page forwards',
      { first: 2, after: cursorAt(3) },
      { logins: [5], hasPreviousPage: true, hasNextPage: false, totalCount: 5 },
    ],
    [
      'after the last item',
      { first: 2, after: cursorAt(4) },
      { logins: [], hasPreviousPage: true, hasNextPage: false, totalCount: 5 },
    ],
    [
      'the newest with last alone',
      { last: 2 },
      { logins: [4, 5], hasPreviousPage: true, hasNextPage: false, totalCount: 5 },
    ],
    [
      'a page backwards',
      { last: 2, before: cursorAt(3) },
      { logins: [2, 3], hasPreviousPage: true, hasNextPage: true, totalCount: 5 },
    ],
    [
      'the oldest page backwards',
      { last: 3, before: cursorAt(1) },
      { logins: [1], hasPreviousPage: false, hasNextPage: true, totalCount: 5 },
    ],
    [
      'no items',
      { first: 0 },
      { logins: [], hasPreviousPage: false, hasNextPage: true, totalCount: 5 },
    ],
    [
      'a cursor beyond a list that has shrunk',
      { first: 2, after: cursorAt(40) },
      { logins: [], hasPreviousPage: true, hasNextPage: false, totalCount: 5 },
    ],
  ])('returns %s', (_name, paging, expected) => {
    expect(page(paging)).toEqual(expected);
  });

  it('keeps exactly the range asked for, both ends included, from the wider list OneLogin returned', () => {
    const items = [
      failure(0, '00:00:00'),
      failure(1, '00:00:01'),
      failure(2, '00:00:02'),
      failure(3, '00:00:03'),
    ];
    const connection = failedProvisioningConnection(
      items,
      planFailedProvisioningsQuery(
        {
          startDate: new Date('2024-05-01T00:00:01.000Z'),
          stopDate: new Date('2024-05-01T00:00:02.000Z'),
          first: 10,
        },
        OPTIONS,
      ),
    );
    expect(connection.edges.map((edge) => edge.node.login_id)).toEqual([1, 2]);
    expect(connection.totalCount).toBe(2);
  });

  it('gives each edge the cursor of its offset, and the page ends as start and end cursors', () => {
    const connection = failedProvisioningConnection(ITEMS, plan({ first: 2, after: cursorAt(0) }));
    expect(connection).toEqual({
      edges: [
        { cursor: cursorAt(1), node: ITEMS[1] },
        { cursor: cursorAt(2), node: ITEMS[2] },
      ],
      pageInfo: {
        hasPreviousPage: true,
        hasNextPage: true,
        startCursor: cursorAt(1),
        endCursor: cursorAt(2),
      },
      totalCount: 5,
    });
  });
});

describe('sortByCreatedAt', () => {
  it('orders oldest first by instant, not by text, and keeps the order of equal instants', () => {
    const early = { ...failure(1, '05:00:00'), created_at: '2024/05/01 00:00:00 +0300' };
    const tieA = failure(2, '03:00:00');
    const tieB = failure(3, '03:00:00');
    expect(sortByCreatedAt([tieA, early, tieB])).toEqual({ ok: true, items: [early, tieA, tieB] });
  });

  it('names the first item whose date cannot be read', () => {
    expect(sortByCreatedAt([ITEMS[0]!, { ...ITEMS[1]!, created_at: 'yesterday' }])).toEqual({
      ok: false,
      index: 1,
    });
  });
});
