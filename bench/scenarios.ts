/**
 * What the bench asks for: four scenarios, each selecting the same data from
 * the gateway, the floor and OneLogin directly. The GraphQL operations here are
 * also the only ones the floor answers (it recognises them by their text).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Kind, parse } from 'graphql';
import type { FieldDefinitionNode, TypeNode } from 'graphql';

/** Twelve fields a typical event list shows, plus `eventType { name }`. */
export const COMMON_SELECTION: readonly string[] = [
  'id',
  'createdAt',
  'accountId',
  'eventTypeId',
  'userId',
  'userName',
  'actorUserId',
  'actorUserName',
  'appId',
  'appName',
  'ipAddress',
  'notes',
  'eventType',
];

export interface Operation {
  kind: 'events' | 'event';
  /** `Event` fields, in query order; object fields are selected as OBJECT_FIELD_SELECTIONS says. */
  selection: readonly string[];
  /** The GraphQL document. */
  query: string;
}

export type ScenarioId = 'page50' | 'page10-all-fields' | 'event-by-id' | 'walk1000';

export interface Scenario {
  id: ScenarioId;
  /** 1 to 4, as the bench's flags and tables number them. */
  number: number;
  title: string;
  /** What one measured "request" is. */
  unit: 'request' | 'walk';
  operation: Operation;
  /** `first` of each `events` request. */
  first?: number;
  /** A walk: this many `events` requests, each after the previous `endCursor`. */
  walkSteps?: number;
  /**
   * Lists start at this many different places, one after the other (the newest
   * page, the one after it, …), and the requests go through them in turn: so
   * the requests in flight at one time differ, and each costs its own upstream
   * call instead of sharing one with an identical request (single-flight).
   */
  starts?: number;
}

const SCHEMA_DIRECTORY = path.resolve(__dirname, '../schema');

/**
 * What the bench selects on object-typed `Event` fields, by field, with the
 * field's type: `eventType { name }`, and the `User` references by their `id`
 * (this subgraph knows nothing else about a user).
 */
export const OBJECT_FIELD_SELECTIONS: Readonly<Record<string, { type: string; select: string }>> = {
  eventType: { type: 'EventType', select: 'name' },
  user: { type: 'User', select: 'id' },
  actorUser: { type: 'User', select: 'id' },
};

/**
 * Every field of `Event` in schema order, read from schema/*.graphql so that the
 * all-fields scenario follows the schema. An object-typed field missing from
 * OBJECT_FIELD_SELECTIONS is refused: the floor would not know how to answer it.
 */
export function allEventFields(directory = SCHEMA_DIRECTORY): string[] {
  const documents = readdirSync(directory)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => parse(readFileSync(path.join(directory, file), 'utf8')));
  const objectTypes = new Set<string>();
  const eventFields: FieldDefinitionNode[] = [];
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION
      )
        continue;
      objectTypes.add(definition.name.value);
      if (definition.name.value === 'Event') eventFields.push(...(definition.fields ?? []));
    }
  }
  if (eventFields.length === 0) throw new Error(`No type Event in ${directory}`);
  return eventFields.map((field) => {
    const name = field.name.value;
    const typeName = namedType(field.type);
    if (objectTypes.has(typeName) && OBJECT_FIELD_SELECTIONS[name]?.type !== typeName) {
      throw new Error(
        `Event.${name}: ${typeName} is an object type the bench does not select yet: ` +
          'add it to OBJECT_FIELD_SELECTIONS (scenarios.ts) and to the floor (eventFieldRules.ts)',
      );
    }
    return name;
  });
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function selectionText(selection: readonly string[]): string {
  return selection
    .map((field) => {
      const object = OBJECT_FIELD_SELECTIONS[field];
      return object ? `${field} { ${object.select} }` : field;
    })
    .join(' ');
}

function eventsOperation(name: string, selection: readonly string[]): Operation {
  return {
    kind: 'events',
    selection,
    query:
      `query ${name}($first: Int!, $after: String) { events(first: $first, after: $after) ` +
      `{ nodes { ${selectionText(selection)} } pageInfo { hasNextPage endCursor } } }`,
  };
}

export const OPERATIONS = {
  page: eventsOperation('BenchEventsPage', COMMON_SELECTION),
  pageAllFields: eventsOperation('BenchEventsPageAllFields', allEventFields()),
  event: {
    kind: 'event',
    selection: COMMON_SELECTION,
    query: `query BenchEvent($id: ID!) { event(id: $id) { ${selectionText(COMMON_SELECTION)} } }`,
  } satisfies Operation,
};

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'page50',
    number: 1,
    title: '50-event page, 12 fields + eventType { name }',
    unit: 'request',
    operation: OPERATIONS.page,
    first: 50,
    starts: 20,
  },
  {
    id: 'page10-all-fields',
    number: 2,
    title: '10-event page, every Event field',
    unit: 'request',
    operation: OPERATIONS.pageAllFields,
    first: 10,
    starts: 20,
  },
  {
    id: 'event-by-id',
    number: 3,
    title: 'event(id) for events of a recent page',
    unit: 'request',
    operation: OPERATIONS.event,
  },
  {
    id: 'walk1000',
    number: 4,
    title: 'walk 1,000 events with first: 100',
    unit: 'walk',
    operation: OPERATIONS.page,
    first: 100,
    walkSteps: 10,
    starts: 10,
  },
];

/** Scenarios by id or number, e.g. `1,walk1000`; all of them for undefined. */
export function selectScenarios(list: string | undefined): Scenario[] {
  if (list === undefined) return [...SCENARIOS];
  return list.split(',').map((item) => {
    const wanted = item.trim();
    const scenario = SCENARIOS.find(
      (candidate) => candidate.id === wanted || String(candidate.number) === wanted,
    );
    if (!scenario) {
      throw new Error(
        `Unknown scenario "${wanted}": use ${SCENARIOS.map((s) => `${s.number} (${s.id})`).join(', ')}`,
      );
    }
    return scenario;
  });
}
