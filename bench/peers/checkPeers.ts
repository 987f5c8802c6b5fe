/**
 * Before a scenario is timed, each peer answers all of it once and its events
 * are compared with direct REST's: the same events in the same order, and the
 * same value in every field the peer has (after the peer's own naming: mesh's
 * `event_type_id` enum value `_5` is 5, apollo-rest's ID fields are strings,
 * and an empty string and null count as the same, as OneLogin's `actor_system`
 * is `""` where other fields are null). `eventType { name }` is compared with
 * OneLogin's catalogue. Any difference throws, and the bench stops. The same
 * pass collects each peer's cursors for the places its lists start from.
 */
import { rest } from '../checkRequests';
import type { Target } from '../loadPlans';
import { directListPath, UPSTREAM_PAGE_SIZE } from '../loadPlans';
import type { Scenario } from '../scenarios';
import type { PeerId } from './peerIds';
import type { PeerOperation } from './peerOperations';
import { peerOperation } from './peerOperations';

type Row = Record<string, unknown>;

export interface PeerData {
  /** Where each peer's lists start: null for the newest event, else its own cursor. */
  starts: Record<string, Array<string | null>>;
}

/** How many `event(id)` answers are compared one by one. */
const EVENT_SAMPLE = 5;

/**
 * Checks every peer in `peers` against direct REST for `scenario`; `ids` are
 * the event ids scenario 3 asks for (the gateway's recent page, already
 * checked against direct REST).
 */
export async function checkPeers(
  scenario: Scenario,
  peers: ReadonlyArray<{ id: PeerId; url: string }>,
  direct: Target,
  ids: readonly string[],
): Promise<PeerData> {
  const catalog = await eventTypeNames(direct);
  const unitEvents = (scenario.first ?? 20) * (scenario.walkSteps ?? 1);
  // Direct REST's events, fetched once while the peers are walked.
  const expected =
    scenario.id === 'event-by-id'
      ? Promise.resolve([])
      : directEvents(scenario, direct, unitEvents * (scenario.starts ?? 1));
  // Awaited by each list check; a failure is theirs to report.
  expected.catch(() => undefined);
  const checked = await Promise.all(
    peers.map(async (peer) => {
      const operation = peerOperation(peer.id, scenario);
      return [
        peer.id,
        operation.kind === 'event'
          ? await checkEvents(scenario, peer, operation, direct, ids, catalog)
          : await checkList(scenario, peer, operation, expected, catalog),
      ] as const;
    }),
  );
  return { starts: Object.fromEntries(checked) };
}

async function checkList(
  scenario: Scenario,
  peer: { id: PeerId; url: string },
  operation: PeerOperation,
  directEventsOf: Promise<Row[]>,
  catalog: ReadonlyMap<string, string>,
): Promise<Array<string | null>> {
  const units = scenario.starts ?? 1;
  const starts: Array<string | null> = [];
  const nodes: Row[] = [];
  let after: string | null = null;
  for (let request = 0; request < operation.steps * units; request += 1) {
    if (request % operation.steps === 0) starts.push(after);
    const answer = await graphQL(peer, operation.query, operation.variables({ after }));
    const page = listOf(peer.id, answer);
    nodes.push(...page.nodes);
    after = page.cursor;
    if (!after) {
      throw new Error(`${scenario.id}: ${peer.id} had no next page after ${nodes.length} events`);
    }
  }
  const expected = await directEventsOf;
  if (nodes.length !== expected.length) {
    throw new Error(
      `${scenario.id}: ${peer.id} returned ${nodes.length} events, direct REST ${expected.length}`,
    );
  }
  nodes.forEach((node, index) =>
    compareEvent(scenario, peer.id, operation, node, expected[index] as Row, index, catalog),
  );
  return starts;
}

async function checkEvents(
  scenario: Scenario,
  peer: { id: PeerId; url: string },
  operation: PeerOperation,
  direct: Target,
  ids: readonly string[],
  catalog: ReadonlyMap<string, string>,
): Promise<Array<string | null>> {
  if (ids.length === 0) throw new Error(`${scenario.id}: no event ids to ask ${peer.id} for`);
  for (const [index, id] of ids.slice(0, EVENT_SAMPLE).entries()) {
    const answer = await graphQL(peer, operation.query, operation.variables({ id }));
    const node =
      peer.id === 'mesh'
        ? (answer as { getEventById?: { data?: Row[] } }).getEventById?.data?.[0]
        : (answer as { event?: Row | null }).event;
    const expected = ((await rest(direct, `/api/1/events/${id}`)) as { data?: Row[] }).data?.[0];
    if (!expected) throw new Error(`${scenario.id}: direct REST has no event ${id}`);
    if (!node) throw new Error(`${scenario.id}: ${peer.id} has no event ${id}`);
    compareEvent(scenario, peer.id, operation, node, expected, index, catalog);
  }
  return [null];
}

/** A peer's page: its events and the cursor after them. */
function listOf(peer: PeerId, answer: unknown): { nodes: Row[]; cursor: string | null } {
  if (peer === 'mesh') {
    const page = (answer as { getEvents?: { data?: Row[]; pagination?: Row; message?: string } })
      .getEvents;
    if (!page?.data) throw new Error(`mesh answered no page: ${JSON.stringify(page)}`);
    return { nodes: page.data, cursor: (page.pagination?.['after_cursor'] as string) ?? null };
  }
  const events = (
    answer as { events: { nodes: Row[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }
  ).events;
  return {
    nodes: events.nodes,
    cursor: events.pageInfo.hasNextPage ? events.pageInfo.endCursor : null,
  };
}

/** The events direct REST returns for the same places, in the gateway's calls' shape. */
async function directEvents(scenario: Scenario, direct: Target, count: number): Promise<Row[]> {
  const events: Row[] = [];
  let after: string | null = null;
  while (events.length < count) {
    const page = (await rest(
      direct,
      directListPath(scenario.operation.selection, UPSTREAM_PAGE_SIZE, after),
    )) as { data: Row[]; pagination: { after_cursor: string | null } };
    events.push(...page.data);
    after = page.pagination.after_cursor;
    if (!after) break;
  }
  return events.slice(0, count);
}

/** Values as the peers may spell them: ids as strings, `_5` as 5, "" as null. */
function normalise(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' && /^_\d+$/.test(value)) return value.slice(1);
  return String(value);
}

function compareEvent(
  scenario: Scenario,
  peer: PeerId,
  operation: PeerOperation,
  node: Row,
  expected: Row,
  index: number,
  catalog: ReadonlyMap<string, string>,
): void {
  const where = `${scenario.id}: ${peer}'s event #${index + 1} (direct REST ${String(expected['id'])})`;
  for (const [field, source] of Object.entries(operation.fields)) {
    if (!(field in node)) throw new Error(`${where} has no ${field}`);
    const mine = normalise(node[field]);
    const theirs = normalise(expected[source]);
    if (mine !== theirs) {
      throw new Error(
        `${where} differs in ${field}: ${peer} ${JSON.stringify(node[field])}, ` +
          `direct REST ${source} ${JSON.stringify(expected[source])}`,
      );
    }
  }
  if (operation.eventType) {
    const name = (node['eventType'] as { name?: unknown } | null)?.name ?? null;
    const wanted = catalog.get(String(expected['event_type_id'])) ?? null;
    if (name !== wanted) {
      throw new Error(
        `${where} differs in eventType.name: ${peer} ${JSON.stringify(name)}, catalogue ${JSON.stringify(wanted)}`,
      );
    }
  }
}

async function eventTypeNames(direct: Target): Promise<Map<string, string>> {
  const body = (await rest(direct, '/api/1/events/types')) as {
    data: Array<{ id: unknown; name: unknown }>;
  };
  return new Map(
    body.data.flatMap((row) => (typeof row.name === 'string' ? [[String(row.id), row.name]] : [])),
  );
}

async function graphQL(
  peer: { id: PeerId; url: string },
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const response = await fetch(peer.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: unknown; errors?: unknown[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${peer.id} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  if (response.status !== 200 || body.errors || !body.data) {
    throw new Error(`${peer.id} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return body.data;
}
