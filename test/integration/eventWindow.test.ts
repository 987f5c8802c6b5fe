import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { EventRecord, SimulatorOptions } from '../../src/simulator';
import { startTestGateway, type TestGateway } from '../helpers/startTestGateway';

const WINDOW = `
  query Window($since: DateTime, $until: DateTime, $first: Int, $after: String) {
    events(filter: { since: $since, until: $until }, orderBy: { field: ID, direction: ASC }, first: $first, after: $after) {
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
});
