/**
 * What each peer is asked for each scenario. The peers' schemas are not the
 * gateway's: `mesh` serves OneLogin's REST operations as GraphQL fields
 * (`getEvents(limit:, sort:, fields:, after_cursor:)`, snake_case fields),
 * `apollo-rest` a small schema of its own with the gateway's `events(first:,
 * after:)` and `event(id:)` shapes. Each asks the same data as the gateway's
 * operation: the same events, in the same order, with the same fields where
 * the peer has them.
 */
import { projectionFor } from '../eventFieldRules';
import { UPSTREAM_PAGE_SIZE } from '../loadPlans';
import type { Scenario } from '../scenarios';
import { OBJECT_FIELD_SELECTIONS } from '../scenarios';
import { APOLLO_REST_FIELDS } from './apolloRest';
import { meshEventFields } from './meshSpec';
import type { PeerId } from './peerIds';

export interface PeerOperation {
  kind: 'events' | 'event';
  query: string;
  /** The peer's fields and the OneLogin field each one shows (`eventType` aside). */
  fields: Readonly<Record<string, string>>;
  /** Whether `eventType { name }` is selected. */
  eventType: boolean;
  /** Events per request, and requests per unit (a walk). */
  perRequest: number;
  steps: number;
  /** The variables of one request after `after` (lists) or for event `id`. */
  variables(input: { after?: string | null; id?: string }): Record<string, unknown>;
  /** The cursor to continue from, read from an answer's text. */
  cursorPattern: RegExp;
  /** What a good answer's text contains. */
  goodAnswer: string;
}

/** camelCase `Event` field → OneLogin field, from the bench's own rules, for the selection. */
function apolloFields(selection: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    selection
      .filter((field) => field !== 'eventType')
      .map((field) => {
        const source = APOLLO_REST_FIELDS[field];
        if (!source) throw new Error(`apollo-rest has no Event.${field}`);
        return [field, source];
      }),
  );
}

/** The snake_case field mesh has for each of the bench's selected `Event` fields. */
function meshFields(selection: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of selection) {
    if (field === 'eventType') continue;
    const source = APOLLO_REST_FIELDS[field];
    if (!source || !meshEventFields().includes(source)) {
      throw new Error(`OneLogin's spec has no event field for Event.${field}`);
    }
    fields[source] = source;
  }
  return fields;
}

/** The peer's operation for `scenario`. */
export function peerOperation(peer: PeerId, scenario: Scenario): PeerOperation {
  return peer === 'mesh' ? meshOperation(scenario) : apolloOperation(scenario);
}

function apolloOperation(scenario: Scenario): PeerOperation {
  const allFields = scenario.id === 'page10-all-fields';
  const selection = allFields
    ? [...Object.keys(APOLLO_REST_FIELDS), 'eventType']
    : scenario.operation.selection;
  const fields = apolloFields(selection);
  const text = selection
    .map((field) =>
      field === 'eventType'
        ? `eventType { ${OBJECT_FIELD_SELECTIONS['eventType']?.select} }`
        : field,
    )
    .join(' ');
  const base = {
    fields,
    eventType: selection.includes('eventType'),
    cursorPattern: /"endCursor":"([^"]+)"/,
  };
  if (scenario.id === 'event-by-id') {
    return {
      ...base,
      kind: 'event',
      query: `query PeerEvent($id: ID!) { event(id: $id) { ${text} } }`,
      perRequest: 1,
      steps: 1,
      variables: ({ id }) => ({ id }),
      goodAnswer: '"event":{',
    };
  }
  const first = scenario.first ?? 20;
  return {
    ...base,
    kind: 'events',
    query:
      `query PeerEventsPage($first: Int!, $after: String) { events(first: $first, after: $after) ` +
      `{ nodes { ${text} } pageInfo { hasNextPage endCursor } } }`,
    perRequest: first,
    steps: scenario.walkSteps ?? 1,
    variables: ({ after }) => ({ first, after: after ?? null }),
    goodAnswer: '"nodes":[',
  };
}

/**
 * Mesh answers one OneLogin call per GraphQL field: a list request is one page
 * of at most 50 (a walk of 1,000 is 20 requests), projected with `fields=` as
 * the gateway projects (scenario 2 unprojected, as the gateway's call is), and
 * `eventType { name }` is not there: the spec has no link from an event to its
 * type (a Mesh user would hand-write one; see docs/BENCHMARKS.md).
 */
function meshOperation(scenario: Scenario): PeerOperation {
  const allFields = scenario.id === 'page10-all-fields';
  const fields = allFields
    ? Object.fromEntries(meshEventFields().map((field) => [field, field]))
    : meshFields(scenario.operation.selection);
  const text = Object.keys(fields).join(' ');
  const union = (type: string, body: string) =>
    `{ ... on ${type} { ${body} } ... on Error { code message } }`;
  const base = {
    fields,
    eventType: false,
    cursorPattern: /"after_cursor":"([^"]+)"/,
  };
  if (scenario.id === 'event-by-id') {
    return {
      ...base,
      kind: 'event',
      query:
        `query PeerEvent($id: Int!) { getEventById(event_id: $id) ` +
        `${union('getEventById_200_response', `data { ${text} }`)} }`,
      perRequest: 1,
      steps: 1,
      variables: ({ id }) => ({ id: Number(id) }),
      goodAnswer: '"data":[{',
    };
  }
  const unitEvents = (scenario.first ?? 20) * (scenario.walkSteps ?? 1);
  const limit = Math.min(UPSTREAM_PAGE_SIZE, unitEvents);
  const fieldsArgument = allFields ? undefined : projectionFor(scenario.operation.selection, []);
  return {
    ...base,
    kind: 'events',
    query:
      `query PeerEventsPage($limit: Int!, $after: String) { getEvents(limit: $limit, ` +
      `sort: "-created_at"${fieldsArgument ? `, fields: "${fieldsArgument.join(',')}"` : ''}, ` +
      `after_cursor: $after) ` +
      `${union('getEvents_200_response', `pagination { after_cursor } data { ${text} }`)} }`,
    perRequest: limit,
    steps: Math.ceil(unitEvents / limit),
    variables: ({ after }) => ({ limit, after: after ?? null }),
    goodAnswer: '"data":[{',
  };
}
