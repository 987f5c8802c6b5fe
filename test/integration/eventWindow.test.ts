import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { EventRecord, SimulatorOptions } from '../../src/simulator';
import { cost } from '../helpers/cost';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const WINDOW = `
  query Window($since: DateTime, $until: DateTime, $first: Int, $after: String) {
    events(filter: { since: $since, until: $until }, orderBy: { field: ID, direction: ASC }, first: $first, after: $after) {
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

/** The same in the default order, newest first: the walk starts at the `until` end. */
const NEWEST_FIRST = `
  query Newest($since: DateTime, $until: DateTime, $first: Int, $after: String) {
    events(filter: { since: $since, until: $until }, first: $first, after: $after) {
      nodes { id }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

interface WindowPage {
  events: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const readings: Array<NonNullable<SimulatorOptions['eventWindow']>> = [
  { precision: 'second', bounds: 'exclusive' }, // OneLogin's Get Events page
  { precision: 'second', bounds: 'inclusive' },
  { precision: 'millisecond', bounds: 'exclusive' },
  { precision: 'millisecond', bounds: 'inclusive' }, // a third-party README
];

describe.each(readings)('filter.since/until when OneLogin reads them as %j', (eventWindow) => {
  let gateway: TestGateway;
  let events: EventRecord[];
  beforeAll(async () => {
    gateway = await startTestGateway({ simulatorOptions: { eventCount: 2000, eventWindow } });
    events = [...gateway.simulator.data.events()].sort((a, b) => a.id - b.id);
    await gateway.execute('{ events(first: 1) { nodes { id } } }'); // the token, once
  });
  afterAll(async () => {
    await gateway.stop();
  });

  /** An event's created_at moved by `ms`: a bound inside the event's second. */
  const at = (index: number, ms = 0) =>
    new Date(Date.parse(events[index]!.created_at) + ms).toISOString();
  const window = (since: string, until: string) =>
    events.filter((e) => e.created_at >= since && e.created_at < until).map((e) => String(e.id));

  it('includes `since` and excludes `until` at millisecond precision, for one upstream call', async () => {
    const since = at(103); // exactly an event's instant: included
    const until = at(127); // exactly an event's instant: excluded
    gateway.resetUpstreamCalls();
    const result = await gateway.execute<WindowPage>(WINDOW, { since, until, first: 50 });
    expect(result).toEqual({
      data: {
        events: {
          nodes: window(since, until).map((id) => ({ id })),
          pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        },
      },
      extensions: cost(1, 1),
    });
    expect(result.data!.events.nodes[0]).toEqual({ id: String(events[103]!.id) });
    expect(result.data!.events.nodes.at(-1)).toEqual({ id: String(events[126]!.id) });
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
  });

  it('returns `first` events when they exist, and pages on without a gap or an overlap', async () => {
    // One millisecond after an event: OneLogin (in whole seconds) returns it, the gateway drops it.
    const since = at(105, 1);
    const until = at(135, 1);
    const expected = window(since, until);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: { data?: WindowPage | null } = await gateway.execute<WindowPage>(WINDOW, {
        since,
        until,
        first: 7,
        after,
      });
      const page = result.data!.events;
      seen.push(...page.nodes.map((node) => node.id));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.nodes).toHaveLength(7);
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('makes consecutive windows meet exactly: [a, b) then [b, c)', async () => {
    const [a, b, c] = [at(101), at(114), at(131, -1)];
    const first = await gateway.execute<WindowPage>(WINDOW, { since: a, until: b, first: 50 });
    const second = await gateway.execute<WindowPage>(WINDOW, { since: b, until: c, first: 50 });
    expect([...first.data!.events.nodes, ...second.data!.events.nodes].map((n) => n.id)).toEqual(
      window(a, c),
    );
  });

  it('reads bounds inside one second at milliseconds, for one upstream call each', async () => {
    const id = String(events[110]!.id);
    const cases: Array<[string, string, string[]]> = [
      [at(110), at(110, 1), [id]], // [t, t + 1 ms): the event alone
      [at(110, -1), at(110), []], // [t - 1 ms, t): until excludes it
      [at(110, 1), at(110, 2), []], // after it, in its second
      [at(110, -1), at(110, 1), [id]],
    ];
    for (const [since, until, ids] of cases) {
      gateway.resetUpstreamCalls();
      const result = await gateway.execute<WindowPage>(WINDOW, { since, until, first: 5 });
      expect(result.data!.events.nodes).toEqual(ids.map((node) => ({ id: node })));
      expect(result.data!.events.pageInfo.hasNextPage).toBe(false);
      expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
    }
  });

  it('reads an `until` on a whole second as exclusive too', async () => {
    const since = at(140);
    const until = new Date(Math.floor(Date.parse(at(150)) / 1000) * 1000).toISOString();
    gateway.resetUpstreamCalls();
    const result = await gateway.execute<WindowPage>(WINDOW, { since, until, first: 50 });
    expect(result.data!.events.nodes).toEqual(window(since, until).map((id) => ({ id })));
    expect(gateway.upstreamCalls()).toEqual({ 'GET /api/1/events': 1 });
  });

  it.each([
    ['oldest first (id)', WINDOW],
    ['newest first (default)', NEWEST_FIRST],
  ])('pages %s through a window for one upstream call per page', async (_order, query) => {
    // The common case: no event in the seconds next to the bounds, so OneLogin's widened
    // window holds no event to drop. (A bound in an event's own second can cost the page at
    // that end one more call, for the events dropped there.)
    const since = at(203, -5000);
    const until = at(259, 5000); // 57 events: five pages of 10, then 7
    const expected = window(since, until);
    const seen: string[] = [];
    const calls: number[] = [];
    let after: string | null = null;
    for (;;) {
      gateway.resetUpstreamCalls();
      const result: { data?: WindowPage | null } = await gateway.execute<WindowPage>(query, {
        since,
        until,
        first: 10,
        after,
      });
      calls.push(gateway.upstreamCalls()['GET /api/1/events'] ?? 0);
      const page = result.data!.events;
      seen.push(...page.nodes.map((node) => node.id));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.nodes).toHaveLength(10);
      after = page.pageInfo.endCursor;
    }
    expect(query === WINDOW ? seen : [...seen].reverse()).toEqual(expected);
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
