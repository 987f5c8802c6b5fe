/**
 * Before a scenario is measured, each contestant answers all of it once and the
 * answers are compared: the gateway's, the secured gateway's and the floor's
 * events must be equal field for field, and direct REST must return the same
 * events in the same order. A benchmark of different answers would compare
 * nothing. The same pass collects each contestant's cursors for the places its
 * lists start from.
 */
import { isDeepStrictEqual } from 'node:util';

import type { ContestantId, Target } from './loadPlans';
import { graphQL, rest } from './checkRequests';
import { directListPath, UPSTREAM_PAGE_SIZE } from './loadPlans';
import type { Scenario } from './scenarios';
import { OPERATIONS } from './scenarios';

type Node = Record<string, unknown> & { id: string };

/** Where each contestant's lists start: null for the newest event, else a cursor of its own. */
export type Starts = Record<ContestantId, Array<string | null>>;

export interface CheckedData {
  /** Ids of the newest events, for `event(id)`. */
  ids: string[];
  starts: Starts;
  /** The starts of each of the price rounds' other gateways (`others`), by name. */
  otherStarts: Record<string, Array<string | null>>;
}

/** One of the price rounds' other gateway processes, e.g. gateway-b, the A/A control. */
export interface OtherGateway {
  /** For messages and `otherStarts`. */
  name: string;
  target: Target;
}

/** How many `event(id)` answers are compared one by one. */
const EVENT_SAMPLE = 5;
/** The recent page `event(id)` takes its ids from. */
const RECENT_PAGE = 50;

/**
 * Checks that the contestants agree on everything `scenario` will ask, and
 * returns what its load needs. For `event(id)`, fetching the recent page
 * through each contestant is also what lets the gateway and the floor answer
 * from what they have seen, as a client that just listed events would.
 * `others`, the price rounds' other gateways (a second bare one, the A/A
 * control, and the gateway with metrics, tracing or access logs on), are
 * checked against the gateway the same way; for `event(id)`, that is also
 * what lets each of them answer from memory, as the gateway does.
 */
export async function checkSameData(
  scenario: Scenario,
  targets: Readonly<Record<ContestantId, Target>>,
  others: readonly OtherGateway[] = [],
): Promise<CheckedData> {
  if (scenario.id === 'event-by-id') return checkEventById(scenario, targets, others);
  const first = scenario.first ?? 20;
  const unitRequests = scenario.walkSteps ?? 1;
  const units = scenario.starts ?? 1;
  const [gateway, secured, floor, direct, ...rest] = await Promise.all([
    walkGraphQL(targets.gateway, scenario, first, unitRequests, units),
    walkGraphQL(targets.secured, scenario, first, unitRequests, units),
    walkGraphQL(targets.floor, scenario, first, unitRequests, units),
    walkDirect(targets.direct, scenario, first * unitRequests, units),
    ...others.map((other) => walkGraphQL(other.target, scenario, first, unitRequests, units)),
  ]);
  const expected = first * unitRequests * units;
  if (gateway.nodes.length !== expected) {
    throw new Error(
      `${scenario.id}: the gateway returned ${gateway.nodes.length} events, not ${expected}`,
    );
  }
  compareNodes(scenario, gateway.nodes, floor.nodes, 'floor');
  compareNodes(scenario, gateway.nodes, secured.nodes, 'secured gateway');
  const otherStarts: Record<string, Array<string | null>> = {};
  for (const [index, other] of others.entries()) {
    const walked = rest[index] as Awaited<ReturnType<typeof walkGraphQL>>;
    compareNodes(scenario, gateway.nodes, walked.nodes, other.name);
    otherStarts[other.name] = walked.starts;
  }
  compareIds(scenario, gateway.nodes, direct.ids);
  return {
    ids: gateway.nodes.map((node) => node.id),
    starts: {
      gateway: gateway.starts,
      secured: secured.starts,
      floor: floor.starts,
      direct: direct.starts,
    },
    otherStarts,
  };
}

async function checkEventById(
  scenario: Scenario,
  targets: Readonly<Record<ContestantId, Target>>,
  others: readonly OtherGateway[],
): Promise<CheckedData> {
  const page: Scenario = { ...scenario, operation: OPERATIONS.page };
  const [gatewayPage, securedPage, floorPage, directPage, ...otherPages] = await Promise.all([
    walkGraphQL(targets.gateway, page, RECENT_PAGE, 1, 1),
    walkGraphQL(targets.secured, page, RECENT_PAGE, 1, 1),
    walkGraphQL(targets.floor, page, RECENT_PAGE, 1, 1),
    walkDirect(targets.direct, page, RECENT_PAGE, 1),
    ...others.map((other) => walkGraphQL(other.target, page, RECENT_PAGE, 1, 1)),
  ]);
  compareNodes(page, gatewayPage.nodes, floorPage.nodes, 'floor');
  compareNodes(page, gatewayPage.nodes, securedPage.nodes, 'secured gateway');
  for (const [index, other] of others.entries()) {
    const walked = otherPages[index] as Awaited<ReturnType<typeof walkGraphQL>>;
    compareNodes(page, gatewayPage.nodes, walked.nodes, other.name);
  }
  compareIds(scenario, gatewayPage.nodes, directPage.ids);
  const ids = gatewayPage.nodes.map((node) => node.id);
  const eventOf = (data: unknown) => (data as { event: Node | null }).event;
  for (const id of ids.slice(0, EVENT_SAMPLE)) {
    const [gateway, secured, floor, direct, ...otherEvents] = await Promise.all([
      graphQL(targets.gateway, scenario.operation.query, { id }),
      graphQL(targets.secured, scenario.operation.query, { id }),
      graphQL(targets.floor, scenario.operation.query, { id }),
      rest(targets.direct, `/api/1/events/${id}`),
      ...others.map((other) => graphQL(other.target, scenario.operation.query, { id })),
    ]);
    const gatewayEvent = eventOf(gateway);
    const securedEvent = eventOf(secured);
    const floorEvent = eventOf(floor);
    if (!gatewayEvent) throw new Error(`${scenario.id}: the gateway has no event ${id}`);
    compareNodes(scenario, [gatewayEvent], floorEvent ? [floorEvent] : [], 'floor');
    compareNodes(scenario, [gatewayEvent], securedEvent ? [securedEvent] : [], 'secured gateway');
    for (const [index, other] of others.entries()) {
      const otherEvent = eventOf(otherEvents[index]);
      compareNodes(scenario, [gatewayEvent], otherEvent ? [otherEvent] : [], other.name);
    }
    const directId = (direct as { data?: Array<{ id: unknown }> }).data?.[0]?.id;
    if (String(directId) !== id) throw new Error(`${scenario.id}: direct REST has no event ${id}`);
  }
  return {
    ids,
    starts: { gateway: [null], secured: [null], floor: [null], direct: [null] },
    otherStarts: Object.fromEntries(others.map((other) => [other.name, [null]])),
  };
}

/** `units` units of `unitRequests` requests of `first` events, one after the other. */
async function walkGraphQL(
  target: Target,
  scenario: Scenario,
  first: number,
  unitRequests: number,
  units: number,
): Promise<{ nodes: Node[]; starts: Array<string | null> }> {
  const nodes: Node[] = [];
  const starts: Array<string | null> = [];
  let after: string | null = null;
  for (let request = 0; request < unitRequests * units; request += 1) {
    if (request % unitRequests === 0) starts.push(after);
    const data = (await graphQL(target, scenario.operation.query, { first, after })) as {
      events: { nodes: Node[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    };
    nodes.push(...data.events.nodes);
    after = data.events.pageInfo.endCursor;
    if (!after || !data.events.pageInfo.hasNextPage) {
      throw new Error(
        `${scenario.id}: the ${target.contestant} had no next page after ${nodes.length} events`,
      );
    }
  }
  return { nodes, starts };
}

/** The same events straight from OneLogin, `unitEvents` at a time, 50 per call at most. */
async function walkDirect(
  target: Target,
  scenario: Scenario,
  unitEvents: number,
  units: number,
): Promise<{ ids: string[]; starts: Array<string | null> }> {
  const ids: string[] = [];
  const starts: Array<string | null> = [];
  const limit = Math.min(UPSTREAM_PAGE_SIZE, unitEvents);
  let after: string | null = null;
  while (ids.length < unitEvents * units) {
    if (ids.length % unitEvents === 0) starts.push(after);
    const page = (await rest(
      target,
      directListPath(scenario.operation.selection, limit, after),
    )) as { data: Array<{ id: unknown }>; pagination: { after_cursor: string | null } };
    ids.push(...page.data.map((event) => String(event.id)));
    after = page.pagination.after_cursor;
    if (!after)
      throw new Error(`${scenario.id}: OneLogin had no next page after ${ids.length} events`);
  }
  return { ids, starts };
}

function compareIds(scenario: Scenario, gateway: Node[], direct: string[]): void {
  const gatewayIds = gateway.map((node) => node.id);
  if (!isDeepStrictEqual(gatewayIds, direct)) {
    const index = gatewayIds.findIndex((id, i) => id !== direct[i]);
    throw new Error(
      `${scenario.id}: direct REST returned other events than the gateway ` +
        `(#${index + 1}: gateway ${gatewayIds[index]}, direct ${direct[index]})`,
    );
  }
}

/** Throws at the first field where the gateway's events and `otherName`'s differ. */
function compareNodes(
  scenario: Scenario,
  gateway: Node[],
  others: Node[],
  otherName: string,
): void {
  if (gateway.length !== others.length) {
    throw new Error(
      `${scenario.id}: the gateway returned ${gateway.length} events, the ${otherName} ${others.length}`,
    );
  }
  gateway.forEach((node, index) => {
    const other = others[index] as Node;
    for (const field of new Set([...Object.keys(node), ...Object.keys(other)])) {
      if (!isDeepStrictEqual(node[field], other[field])) {
        throw new Error(
          `${scenario.id}: event ${node.id} (#${index + 1}) differs in ${field}: ` +
            `gateway ${JSON.stringify(node[field])}, ${otherName} ${JSON.stringify(other[field])}`,
        );
      }
    }
  });
}
