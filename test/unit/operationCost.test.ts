import { describe, expect, it } from '@jest/globals';
import { buildSchema as buildSDLSchema, getOperationAST, parse } from 'graphql';

import { encodeCursor, type EventPosition } from '../../src/domain/eventCursor';
import { buildSchema } from '../../src/server/createApolloServer';
import type { OperationCost } from '../../src/server/operationCost';
import {
  operationCostEstimator,
  REPEATED_KEY_MAX_LENGTH,
  upstreamCallsOf,
} from '../../src/server/operationCost';

const schema = buildSchema();
const paging = { defaultPageSize: 20, maxPageSize: 500 };
const estimator = operationCostEstimator({ schema, paging });

function estimate(query: string, variables?: Record<string, unknown>): OperationCost {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('the document has no single operation');
  return estimator(document, operation, variables);
}

/** Calls of an operation that selects fields backed by OneLogin, without the event-type catalogue. */
const calls = (n: number): OperationCost => ({
  calls: n,
  readsEventTypes: false,
  selectsUpstream: true,
});
/** Calls, with the event-type catalogue read. */
const callsWithEventTypes = (n: number): OperationCost => ({
  calls: n,
  readsEventTypes: true,
  selectsUpstream: true,
});
/** An operation nothing in OneLogin backs. */
const LOCAL: OperationCost = { calls: 0, readsEventTypes: false, selectsUpstream: false };

/** An edge cursor as the gateway issues it (the connection's key plays no part in the estimate). */
function cursor(position: Partial<EventPosition>): string {
  return encodeCursor('key', {
    reversed: false,
    cursor: null,
    limit: 50,
    id: '1000',
    ...position,
  });
}

describe('operationCostEstimator: events connections', () => {
  it.each([
    [20, 1],
    [1, 1],
    [50, 1],
    [51, 2],
    [100, 2],
    [101, 3],
    [500, 10],
    [0, 0],
  ])('first: %d is %d call(s), one per 50 events', (first, expected) => {
    expect(estimate(`{ events(first: ${first}) { nodes { id } } }`)).toEqual(calls(expected));
  });

  it.each([
    [20, 1],
    [50, 1],
    [51, 2],
    [500, 10],
    [0, 0],
  ])('last: %d is %d call(s), as first', (last, expected) => {
    expect(estimate(`{ events(last: ${last}) { nodes { id } } }`)).toEqual(calls(expected));
  });

  it('takes the default page size when neither first nor last is given', () => {
    expect(estimate(`{ events { nodes { id } } }`)).toEqual(calls(1));
    const large = operationCostEstimator({
      schema,
      paging: { defaultPageSize: 120, maxPageSize: 500 },
    });
    const document = parse(`{ events { nodes { id } } }`);
    expect(large(document, getOperationAST(document)!, undefined)).toEqual(calls(3));
  });

  it('counts nothing for paging arguments the connection refuses before any call', () => {
    expect(
      estimate(`{
        both: events(first: 10, last: 10) { nodes { id } }
        negative: events(first: -1) { nodes { id } }
        tooMany: events(first: 501) { nodes { id } }
        crossed: events(first: 10, before: "x") { nodes { id } }
      }`),
    ).toEqual(calls(0));
  });

  it('reads the variables, their defaults, and the default page size for a missing one', () => {
    const query = `query ($n: Int = 120, $m: Int) {
      a: events(first: $n) { nodes { id } }
      b: events(last: $m) { nodes { id } }
    }`;
    expect(estimate(query)).toEqual(calls(3 + 1));
    expect(estimate(query, { n: 500, m: 51 })).toEqual(calls(10 + 2));
    expect(estimate(query, { n: null })).toEqual(calls(1 + 1));
  });

  it('counts nothing when the variables do not coerce (execution refuses them before any call)', () => {
    expect(estimate(`query ($n: Int!) { events(first: $n) { nodes { id } } }`, {})).toEqual(
      calls(0),
    );
    expect(
      estimate(`query ($n: Int) { events(first: $n) { nodes { id } } }`, { n: 'ten' }),
    ).toEqual(calls(0));
  });

  it('costs one call to page on from the end of an upstream page, one more from its middle', () => {
    const query = `query ($after: String, $before: String, $first: Int, $last: Int) {
      events(first: $first, after: $after, last: $last, before: $before) { nodes { id } }
    }`;
    // The last event of its page carries OneLogin's after_cursor: paging on is one call.
    expect(estimate(query, { first: 50, after: cursor({ after: 'A' }) })).toEqual(calls(1));
    // From the middle of a page, that page is read again first.
    expect(estimate(query, { first: 50, after: cursor({}) })).toEqual(calls(2));
    expect(estimate(query, { first: 100, after: cursor({ before: 'B' }) })).toEqual(calls(3));
    // Backwards from the first event of its page: OneLogin's before_cursor.
    expect(estimate(query, { last: 50, before: cursor({ before: 'B' }) })).toEqual(calls(1));
    expect(estimate(query, { last: 50, before: cursor({ after: 'A' }) })).toEqual(calls(2));
    // A page listed reversed (from `last` alone) turns the walk round.
    expect(estimate(query, { first: 20, after: cursor({ reversed: true, before: 'B' }) })).toEqual(
      calls(1),
    );
    expect(estimate(query, { last: 20, before: cursor({ reversed: true, after: 'A' }) })).toEqual(
      calls(1),
    );
    // A cursor the gateway did not issue is refused before any call, and costs no more.
    expect(estimate(query, { first: 50, after: 'not-a-cursor' })).toEqual(calls(1));
  });

  it('counts User.events like Query.events, for `me` and for an event’s users', () => {
    expect(
      estimate(`{
        me { events(first: 100) { nodes { id } } }
        events(first: 1) { nodes { user { events(last: 10) { nodes { id } } } } }
      }`),
    ).toEqual(calls(2 + 1 + 1));
  });
});

describe('operationCostEstimator: nested connections multiply', () => {
  it('counts a nested connection once per event of the page above it', () => {
    expect(
      estimate(`{
        events(first: 50) { nodes { user { events(first: 10) { nodes { id } } } } }
      }`),
    ).toEqual(calls(1 + 50 * 1));
  });

  it('follows edges { node } as nodes, and adds both when both are selected', () => {
    expect(
      estimate(`{
        events(first: 20) {
          edges { node { actorUser { events(first: 60) { nodes { id } } } } }
          nodes { user { events(first: 5) { nodes { id } } } }
        }
      }`),
    ).toEqual(calls(1 + 20 * 2 + 20 * 1));
  });

  it('multiplies down every level', () => {
    expect(
      estimate(`{
        events(first: 10) { nodes { user { events(first: 3) { nodes { user { events(first: 2) { nodes { id } } } } } } } }
      }`),
    ).toEqual(calls(1 + 10 * (1 + 3 * 1)));
  });

  it('counts nothing under a connection of 0 events', () => {
    expect(
      estimate(`{
        events(first: 0) { nodes { message user { events(first: 500) { nodes { id } } } } }
      }`),
    ).toEqual(calls(0));
  });
});

describe('operationCostEstimator: the shape of the document', () => {
  it('follows fragments and inline fragments, nested ones too', () => {
    expect(
      estimate(`
        query {
          ...Page
          ... on Query { second: events(first: 60) { nodes { id } } }
        }
        fragment Page on Query { events(first: 10) { nodes { ...WithUser } } }
        fragment WithUser on Event { user { ...Trail } }
        fragment Trail on User { events(first: 1) { nodes { id } } }
      `),
    ).toEqual(calls(1 + 10 * 1 + 2));
  });

  it('counts aliases apart, and one field named twice under one response key once', () => {
    expect(
      estimate(`{
        a: events(first: 10) { nodes { id } }
        b: events(first: 10) { nodes { id } }
        events(first: 10) { nodes { id } }
        events(first: 10) { nodes { createdAt } }
      }`),
    ).toEqual(calls(3));
  });

  it('merges the selections of one response key, as execution does', () => {
    expect(
      estimate(`{
        events(first: 10) { nodes { id } }
        events(first: 10) { nodes { user { events(first: 1) { nodes { id } } } } }
        ...More
      }
      fragment More on Query { events(first: 10) { nodes { actorUser { events(first: 1) { nodes { id } } } } } }`),
    ).toEqual(calls(1 + 10 + 10));
  });

  it('leaves out what @skip and @include exclude, with literals and variables', () => {
    const query = `query ($withTrail: Boolean!, $skipPage: Boolean = false) {
      events(first: 10) @skip(if: $skipPage) {
        nodes { user @include(if: $withTrail) { events(first: 1) { nodes { id } } } }
      }
      never: events(first: 500) @include(if: false) { nodes { id } }
      skipped: events(first: 500) @skip(if: true) { nodes { id } }
      ... @include(if: $withTrail) { other: events(first: 100) { nodes { id } } }
    }`;
    expect(estimate(query, { withTrail: true })).toEqual(calls(1 + 10 + 2));
    expect(estimate(query, { withTrail: false })).toEqual(calls(1));
    expect(estimate(query, { withTrail: true, skipPage: true })).toEqual(calls(2));
  });

  it('costs nothing for introspection, __typename, _service, me or pageInfo', () => {
    expect(
      estimate(`{
        __typename
        __schema { types { name } }
        _service { sdl }
        me { id __typename }
      }`),
    ).toEqual(LOCAL);
    expect(
      estimate(`{ events(first: 30) { pageInfo { hasNextPage endCursor } edges { cursor } } }`),
    ).toEqual(calls(1));
  });

  it('tells an operation that selects fields backed by OneLogin, whatever their arguments', () => {
    expect(estimate(`{ events(first: 0) { nodes { id } } }`)).toEqual(calls(0));
    expect(estimate(`{ event(id: "x") { id } }`)).toEqual(calls(0));
    expect(estimate(`{ me { events(first: 501) { nodes { id } } } }`)).toEqual(calls(0));
    expect(estimate(`{ events(first: 10) @skip(if: true) { nodes { id } } }`)).toEqual(LOCAL);
    // Variables that do not coerce: nothing runs, but the operation is what it is.
    expect(estimate(`query ($n: Int!) { events(first: $n) { nodes { id } } }`)).toEqual(calls(0));
  });

  it('walks an operation without variables once per document', () => {
    const document = parse(`{ events(first: 60) { nodes { id } } }`);
    const operation = getOperationAST(document)!;
    const first = estimator(document, operation, undefined);
    expect(first).toEqual(calls(2));
    expect(estimator(document, operation, { ignored: 1 })).toBe(first);
  });

  it('refuses a schema that lacks a field it counts, rather than count it as free', () => {
    expect(() =>
      operationCostEstimator({ schema: buildSDLSchema('type Query { events: Int }'), paging }),
    ).toThrow('operationCost: the schema has no User.events');
  });

  it('estimates the operation asked for', () => {
    const document = parse(`
      query Small { events(first: 1) { nodes { id } } }
      query Large { events(first: 500) { nodes { id } } }
    `);
    expect(estimator(document, getOperationAST(document, 'Large')!, undefined)).toEqual(calls(10));
  });
});

describe('operationCostEstimator: look-ups and entities', () => {
  it('counts one call per distinct event id, as the request’s loader asks once per id', () => {
    expect(
      estimate(`{
        a: event(id: "7") { id }
        b: event(id: " 007 ") { id }
        c: event(id: "8") { id }
        bad: event(id: "x") { id }
      }`),
    ).toEqual(calls(2));
  });

  it('counts _entities with N User representations N times what a User selects', () => {
    const representations = Array.from({ length: 200 }, (_unused, i) => ({
      __typename: 'User',
      id: String(1000 + i),
    }));
    expect(
      estimate(
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on User { events(first: 5) { nodes { id createdAt } } }
          }
        }`,
        { representations },
      ),
    ).toEqual(calls(200));
  });

  it('counts Event representations once per distinct id, with what each selects', () => {
    expect(
      estimate(
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Event { id user { events(first: 2) { nodes { id } } } }
            ... on User { events(first: 51) { nodes { id } } }
          }
        }`,
        {
          representations: [
            { __typename: 'Event', id: '1' },
            { __typename: 'Event', id: 1 },
            { __typename: 'Event', id: '2' },
            { __typename: 'User', id: '3' },
          ],
        },
      ),
    ).toEqual(calls(2 + 3 * 1 + 1 * 2));
  });

  it('shares event ids between event(id) and Event representations', () => {
    expect(
      estimate(`{
        event(id: "5") { id }
        _entities(representations: [{ __typename: "Event", id: "5" }, { __typename: "Event", id: "6" }]) {
          ... on Event { id }
        }
      }`),
    ).toEqual(calls(2));
  });

  it('reads the catalogue for EventType representations, and for nothing else they select', () => {
    expect(
      estimate(`{
        _entities(representations: [{ __typename: "EventType", id: "5" }, { __typename: "EventType", id: "6" }]) {
          ... on EventType { id name }
        }
      }`),
    ).toEqual(callsWithEventTypes(0));
  });
});

describe('operationCostEstimator: the legacy API and the catalogue', () => {
  it('counts one call per failedProvisionings range, however it is paged', () => {
    expect(
      estimate(`{
        a: failedProvisionings(startDate: "2026-06-01T00:00:00Z", stopDate: "2026-06-02T00:00:00Z", first: 500) { totalCount nodes { user { id } } }
        b: failedProvisionings(startDate: "2026-06-01T00:00:00Z", stopDate: "2026-06-02T00:00:00Z", last: 3) { totalCount }
        c: failedProvisionings(startDate: "2026-06-03T00:00:00Z", stopDate: "2026-06-04T00:00:00Z") { totalCount }
      }`),
    ).toEqual(calls(3));
  });

  it('counts one call per createEvent, and the catalogue it checks the type against', () => {
    expect(
      estimate(`mutation {
        a: createEvent(input: { eventTypeId: "5" }) { event { eventTypeId } }
        b: createEvent(input: { eventTypeId: "6" }) { event { eventType { name } } }
        c: createEvent(input: { eventTypeId: "7" }) { event { recordedAt } }
      }`),
    ).toEqual(callsWithEventTypes(3));
  });

  it.each([
    ['eventTypes', `{ eventTypes { id name } }`, callsWithEventTypes(0)],
    ['eventType(id)', `{ eventType(id: "5") { name } }`, callsWithEventTypes(0)],
    ['Event.message', `{ events(first: 10) { nodes { message } } }`, callsWithEventTypes(1)],
    ['Event.eventType', `{ event(id: "3") { eventType { name } } }`, callsWithEventTypes(1)],
    ['no event type', `{ events(first: 10) { nodes { eventTypeId } } }`, calls(1)],
  ])('reads the catalogue for %s', (_name, query, expected) => {
    expect(estimate(query)).toEqual(expected);
  });

  it('adds the catalogue call only when the catalogue is not loaded', () => {
    const cost = estimate(`{ events(first: 120) { nodes { message } } }`);
    expect(upstreamCallsOf(cost, false)).toBe(3 + 1);
    expect(upstreamCallsOf(cost, true)).toBe(3);
    expect(upstreamCallsOf(calls(3), false)).toBe(3);
    expect(upstreamCallsOf(LOCAL, false)).toBe(0);
  });
});

describe('operationCostEstimator: estimates kept per set of values', () => {
  const query = `query ($ids: [_Any!]!) { _entities(representations: $ids) { ... on Event { id } } }`;
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('the document has no single operation');
  const representations = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ __typename: 'Event', id: String(1000 + i) }));

  it('walks an operation asked again with the same small values once', () => {
    const first = estimator(document, operation, { ids: representations(3) });
    expect(first).toEqual(calls(3));
    expect(estimator(document, operation, { ids: representations(3) })).toBe(first);
  });

  it('keeps no estimate for values longer than REPEATED_KEY_MAX_LENGTH, so large variables cannot fill memory', () => {
    const many = representations(200);
    expect(JSON.stringify(many).length).toBeGreaterThan(REPEATED_KEY_MAX_LENGTH);
    const first = estimator(document, operation, { ids: many });
    expect(first).toEqual(calls(200));
    const again = estimator(document, operation, { ids: many });
    expect(again).toEqual(calls(200));
    expect(again).not.toBe(first);
  });
});
