import type {
  DirectiveNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isObjectType,
  Kind,
} from 'graphql';

import { LruMap } from '../cache/LruMap';
import { eventPageCalls } from '../domain/eventConnection';
import { peekCursorPosition } from '../domain/eventCursor';
import { oneLoginInteger } from '../domain/oneLoginId';
import type { PagingArgumentsInput } from '../domain/pagingArguments';
import { readPagingArguments } from '../domain/pagingArguments';
import { coerceVariables } from './coerceVariables';

/** What an operation can cost upstream, worked out from its document and variables alone. */
export interface OperationCost {
  /** The most OneLogin calls (the legacy API's included) it can make, the event-type catalogue aside. */
  calls: number;
  /** Whether it reads the event-type catalogue: one call more when this process has none loaded. */
  readsEventTypes: boolean;
  /**
   * Whether it selects any field backed by OneLogin, whatever its arguments
   * (then its responses report what it cost); false for introspection,
   * `__typename`, `_service` or `me { id }`.
   */
  selectsUpstream: boolean;
}

export interface OperationCostEstimatorOptions {
  schema: GraphQLSchema;
  /** EVENTS_DEFAULT_PAGE_SIZE and EVENTS_MAX_PAGE_SIZE, as the connections read `first`/`last`. */
  paging: { defaultPageSize: number; maxPageSize: number };
}

export type OperationCostEstimator = (
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
) => OperationCost;

/** The calls an operation can make, given whether the catalogue is loaded (see EventTypeCatalog.isLoaded). */
export function upstreamCallsOf(cost: OperationCost, eventTypesLoaded: boolean): number {
  return cost.calls + (cost.readsEventTypes && !eventTypesLoaded ? 1 : 0);
}

/**
 * Estimates, before execution, the OneLogin calls an operation can make, as
 * the resolvers and data sources would charge them to the request's
 * UpstreamBudget, in one walk of the operation (fragments and inline fragments
 * followed, `@skip`/`@include` applied, arguments read with their variables and
 * defaults, fields merged by response key as execution merges them):
 * - an `events` connection (`Query.events`, `User.events`): one call per 50
 *   events of `first`/`last` (or the default page size), none for 0, one more
 *   to resume from the middle of an upstream page (see eventPageCalls);
 * - what is under a connection's `edges`/`nodes` counts once per event of the
 *   page, so `events(first: 50) { nodes { user { events(first: 10) … } } }` is
 *   1 + 50 × 1;
 * - `event(id)` and `Event` representations: one per distinct id (the
 *   request's loader asks for an id once; the event cache may answer);
 * - `User` representations: what their selection costs, once each;
 * - `failedProvisionings`: one per field (a range is one call; the cache may answer);
 * - `createEvent`: one each;
 * - the event-type catalogue, read by `eventTypes`, `eventType`,
 *   `Event.eventType`, `Event.message`, `createEvent` and `EventType`
 *   representations: reported apart, as it costs one call only when cold.
 * It is an upper bound of the normal path; retries, an event-type catalogue
 * refresh for an unknown id (at most once a minute), and the rare extra pages
 * eventPageCalls names are left out, and the budget still stops them at run time.
 *
 * Variables that do not coerce cost nothing (execution refuses them before any
 * call). Operations without variables are estimated once per document, others
 * once per distinct set of values up to 1 KiB of JSON (the last 256 of each
 * operation); larger sets are walked every time.
 */
export function operationCostEstimator(
  options: OperationCostEstimatorOptions,
): OperationCostEstimator {
  const { schema } = options;
  const context: WalkContext = { schema, paging: options.paging, ...schemaCosts(schema) };
  const walkOf = (
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
  ) => walkOperation(context, document, operation, variables);
  // Apollo keeps one parsed document per query text, so an operation without
  // variables is walked once, whatever the number of requests.
  const constant = new WeakMap<OperationDefinitionNode, OperationCost>();
  const repeated = new WeakMap<OperationDefinitionNode, LruMap<string, OperationCost>>();
  return (document, operation, variables) => {
    const definitions = operation.variableDefinitions ?? [];
    if (definitions.length === 0) {
      let cost = constant.get(operation);
      if (!cost) {
        cost = walkOf(document, operation, {});
        constant.set(operation, cost);
      }
      return cost;
    }
    const coerced = coerceVariables(schema, definitions, variables);
    if (!coerced.errors) {
      // The same operation with the same values costs the same (the walk reads
      // nothing else): the newest page, asked for again and again, is walked once.
      let seen = repeated.get(operation);
      if (!seen) {
        seen = new LruMap(REPEATED_PER_OPERATION);
        repeated.set(operation, seen);
      }
      const key = JSON.stringify(coerced.coerced);
      // Only small sets of values are kept: a client sending one operation with many large
      // variables (an `_entities` batch of 1,000 representations) must not fill memory.
      if (key.length > REPEATED_KEY_MAX_LENGTH) return walkOf(document, operation, coerced.coerced);
      let cost = seen.get(key);
      if (!cost) {
        cost = walkOf(document, operation, coerced.coerced);
        seen.set(key, cost);
      }
      return cost;
    }
    // Execution refuses them before any call; what the operation selects is still what it is.
    const { selectsUpstream } = walkOf(document, operation, {});
    return { calls: 0, readsEventTypes: false, selectsUpstream };
  };
}

/** Estimates kept per operation for the values it was last asked with (each key at most 1 KiB). */
const REPEATED_PER_OPERATION = 256;
/** The longest set of values (as JSON) whose estimate is kept: 256 of them are at most 256 KiB. */
export const REPEATED_KEY_MAX_LENGTH = 1024;

/** How a field counts: it calls OneLogin, reads the catalogue, or lists a page's events. */
type FieldKind =
  'connection' | 'pageItems' | 'event' | 'entities' | 'eventTypes' | 'legacy' | 'write';

/** Every field that calls OneLogin or multiplies what is under it is named here. */
const FIELD_KINDS: Readonly<Record<string, FieldKind>> = {
  'Query.events': 'connection',
  'User.events': 'connection',
  'EventConnection.edges': 'pageItems',
  'EventConnection.nodes': 'pageItems',
  'Query.event': 'event',
  'Query._entities': 'entities',
  'Query.eventTypes': 'eventTypes',
  'Query.eventType': 'eventTypes',
  'Event.eventType': 'eventTypes',
  'Event.message': 'eventTypes',
  'CreatedEvent.eventType': 'eventTypes',
  'Query.failedProvisionings': 'legacy',
  'Mutation.createEvent': 'write',
};

interface SchemaCosts {
  /** The kind of each field of FIELD_KINDS. */
  kinds: ReadonlyMap<GraphQLField<unknown, unknown>, FieldKind>;
  /** The types under which some field calls OneLogin or reads the catalogue: the walk skips the others. */
  reaching: ReadonlySet<GraphQLNamedType>;
}

/** What the walk needs to know of the schema, worked out once. */
function schemaCosts(schema: GraphQLSchema): SchemaCosts {
  const kinds = new Map<GraphQLField<unknown, unknown>, FieldKind>();
  for (const [coordinate, kind] of Object.entries(FIELD_KINDS)) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    // A field renamed in the schema must not silently cost nothing.
    if (!field) throw new Error(`operationCost: the schema has no ${coordinate}`);
    kinds.set(field, kind);
  }
  const reaching = new Set<GraphQLNamedType>();
  for (let grew = true; grew;) {
    grew = false;
    for (const type of Object.values(schema.getTypeMap())) {
      if (reaching.has(type)) continue;
      const reaches = isObjectType(type)
        ? Object.values(type.getFields()).some(
            (field) =>
              (kinds.has(field) && kinds.get(field) !== 'pageItems') ||
              reaching.has(getNamedType(field.type)),
          )
        : isAbstractType(type) && schema.getPossibleTypes(type).some((t) => reaching.has(t));
      if (reaches) {
        reaching.add(type);
        grew = true;
      }
    }
  }
  return { kinds, reaching };
}

interface WalkContext extends SchemaCosts {
  schema: GraphQLSchema;
  paging: OperationCostEstimatorOptions['paging'];
}

interface Walk extends WalkContext {
  variables: Record<string, unknown>;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  calls: number;
  readsEventTypes: boolean;
  selectsUpstream: boolean;
  /** Events looked up by id: the request's loader asks OneLogin for each once. */
  eventIds: Set<string>;
}

function walkOperation(
  context: WalkContext,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationCost {
  const root = context.schema.getRootType(operation.operation);
  if (!root) return { calls: 0, readsEventTypes: false, selectsUpstream: false };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  // Written out, not spread: the walk reads these on every field.
  const walk: Walk = {
    schema: context.schema,
    paging: context.paging,
    kinds: context.kinds,
    reaching: context.reaching,
    variables,
    fragments,
    calls: 0,
    readsEventTypes: false,
    selectsUpstream: false,
    eventIds: new Set(),
  };
  selectionCost(walk, root, [operation.selectionSet], 1, 0);
  return {
    calls: walk.calls + walk.eventIds.size,
    readsEventTypes: walk.readsEventTypes,
    selectsUpstream: walk.selectsUpstream,
  };
}

/**
 * Adds what `sets`, merged, cost on `times` objects of `type`. `size` is the
 * number of events of the page when `type` is EventConnection.
 */
function selectionCost(
  walk: Walk,
  type: GraphQLObjectType,
  sets: readonly SelectionSetNode[],
  times: number,
  size: number,
): void {
  if (times <= 0) return;
  const fields = new Map<string, CollectedField>();
  const visited = new Set<string>();
  for (const set of sets) collectFields(walk, type, set, fields, visited);
  for (const { definition, nodes } of fields.values())
    fieldCost(walk, definition, nodes, times, size);
}

/** The nodes of one response key, and the field they stand for. */
interface CollectedField {
  definition: GraphQLField<unknown, unknown>;
  nodes: FieldNode[];
}

function fieldCost(
  walk: Walk,
  definition: GraphQLField<unknown, unknown>,
  nodes: readonly FieldNode[],
  times: number,
  size: number,
): void {
  const node = nodes[0] as FieldNode;
  const returned = getNamedType(definition.type);
  const kind = walk.kinds.get(definition);
  if (kind !== undefined && kind !== 'pageItems') walk.selectsUpstream = true;
  switch (kind) {
    case 'connection': {
      const args = pagingArgumentsOf(node, walk.variables);
      if (!args) return;
      let page;
      try {
        page = readPagingArguments(args, walk.paging);
      } catch {
        return; // refused before any call
      }
      const cursor = page.cursor === null ? null : peekCursorPosition(page.cursor);
      walk.calls += times * eventPageCalls(page.mode, page.count, cursor);
      children(walk, returned, nodes, times, page.count);
      return;
    }
    case 'pageItems':
      children(walk, returned, nodes, times * size, 0);
      return;
    case 'event': {
      const id = canonicalId(idArgumentOf(node, walk.variables));
      if (id === undefined) return; // refused before any call
      walk.eventIds.add(id);
      children(walk, returned, nodes, times, 0);
      return;
    }
    case 'entities':
      entitiesCost(walk, argumentsOf(walk, definition, node)?.['representations'], nodes, times);
      return;
    case 'eventTypes':
      // Nothing under an EventType calls OneLogin.
      walk.readsEventTypes = true;
      return;
    case 'legacy':
      // The range is one call, however it is paged; nothing under it calls OneLogin.
      walk.calls += times;
      return;
    case 'write':
      // The event type is checked against the catalogue before the write.
      walk.calls += times;
      walk.readsEventTypes = true;
      children(walk, returned, nodes, times, 0);
      return;
    default:
      children(walk, returned, nodes, times, 0);
  }
}

/** `_entities`: each representation resolves as its own object of its `__typename`. */
function entitiesCost(
  walk: Walk,
  representations: unknown,
  nodes: readonly FieldNode[],
  times: number,
): void {
  if (!Array.isArray(representations)) return;
  const counts = new Map<string, number>();
  for (const representation of representations as unknown[]) {
    if (typeof representation !== 'object' || representation === null) continue;
    const { __typename: typename, id } = representation as { __typename?: unknown; id?: unknown };
    if (typeof typename !== 'string') continue;
    counts.set(typename, (counts.get(typename) ?? 0) + 1);
    if (typename === 'Event') {
      const canonical = canonicalId(id);
      if (canonical !== undefined) walk.eventIds.add(canonical);
    }
  }
  if (counts.has('EventType')) walk.readsEventTypes = true;
  const sets = subSelections(nodes);
  for (const [typename, count] of counts) {
    const type = walk.schema.getType(typename);
    if (isObjectType(type) && walk.reaching.has(type))
      selectionCost(walk, type, sets, times * count, 0);
  }
}

function children(
  walk: Walk,
  type: GraphQLNamedType,
  nodes: readonly FieldNode[],
  times: number,
  size: number,
): void {
  if (!walk.reaching.has(type)) return;
  const sets = subSelections(nodes);
  if (sets.length === 0) return;
  if (isObjectType(type)) {
    selectionCost(walk, type, sets, times, size);
  } else if (isAbstractType(type)) {
    // Whichever type an object turns out to be (an upper bound; `_entities` knows its types).
    for (const possible of walk.schema.getPossibleTypes(type))
      selectionCost(walk, possible, sets, times, size);
  }
}

/** The fields `set` executes on an object of `type`, by response key, as graphql-js collects them. */
function collectFields(
  walk: Walk,
  type: GraphQLObjectType,
  set: SelectionSetNode,
  fields: Map<string, CollectedField>,
  visited: Set<string>,
): void {
  const definitions = type.getFields();
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      // Meta fields (`__typename`, `__schema`, `__type`) are not among the definitions, and cost
      // nothing; nor does a field that neither counts nor leads to one that does.
      const definition = definitions[selection.name.value];
      if (
        !definition ||
        (!walk.kinds.has(definition) && !walk.reaching.has(getNamedType(definition.type))) ||
        !isIncluded(walk, selection)
      )
        continue;
      const key = selection.alias?.value ?? selection.name.value;
      const same = fields.get(key);
      if (same) same.nodes.push(selection);
      else fields.set(key, { definition, nodes: [selection] });
    } else if (!isIncluded(walk, selection)) {
      continue;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (appliesTo(walk, selection.typeCondition?.name.value, type))
        collectFields(walk, type, selection.selectionSet, fields, visited);
    } else {
      const name = selection.name.value;
      if (visited.has(name)) continue;
      visited.add(name);
      const fragment = walk.fragments.get(name);
      if (fragment && appliesTo(walk, fragment.typeCondition.name.value, type))
        collectFields(walk, type, fragment.selectionSet, fields, visited);
    }
  }
}

function appliesTo(walk: Walk, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (condition === undefined || condition === type.name) return true;
  const conditionType = walk.schema.getType(condition);
  return isAbstractType(conditionType) && walk.schema.isSubType(conditionType, type);
}

/** Whether `@skip`/`@include` let a selection execute (when they cannot be read: yes). */
function isIncluded(walk: Walk, node: { readonly directives?: readonly DirectiveNode[] }): boolean {
  if (!node.directives?.length) return true;
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, walk.variables)?.['if'] === true)
      return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, walk.variables)?.['if'] !== false;
  } catch {
    return true;
  }
}

function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const node of nodes) if (node.selectionSet) sets.push(node.selectionSet);
  return sets;
}

/**
 * `first`/`last`/`after`/`before` of a connection, read straight from the
 * literals and the coerced variables (they have no defaults): the walk's hot
 * path, cheaper than getArgumentValues. Undefined for a value validation lets
 * through only for other types.
 */
function pagingArgumentsOf(
  node: FieldNode,
  variables: Record<string, unknown>,
): PagingArgumentsInput | undefined {
  const input: Record<string, unknown> = {};
  for (const argument of node.arguments ?? []) {
    const name = argument.name.value;
    if (name !== 'first' && name !== 'last' && name !== 'after' && name !== 'before') continue;
    const value = literalOrVariable(argument.value, variables);
    if (value === INVALID) return undefined;
    input[name] = value;
  }
  return input as PagingArgumentsInput;
}

/** `event(id:)`'s id. */
function idArgumentOf(node: FieldNode, variables: Record<string, unknown>): unknown {
  const argument = node.arguments?.find((candidate) => candidate.name.value === 'id');
  return argument ? literalOrVariable(argument.value, variables) : undefined;
}

const INVALID = Symbol('invalid');

/** A scalar argument's value: an Int or String literal, null, or a coerced variable (undefined when not given). */
function literalOrVariable(value: ValueNode, variables: Record<string, unknown>): unknown {
  switch (value.kind) {
    case Kind.INT:
      return Number.parseInt(value.value, 10);
    case Kind.STRING:
      return value.value;
    case Kind.NULL:
      return null;
    case Kind.VARIABLE:
      return variables[value.name.value];
    default:
      return INVALID;
  }
}

/** The field's arguments with variables and defaults; undefined when they do not coerce (execution refuses). */
function argumentsOf(
  walk: Walk,
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(definition, node, walk.variables);
  } catch {
    return undefined;
  }
}

/** An entity or `event(id)` id as the loader keys it; undefined for one that is refused before any call. */
function canonicalId(id: unknown): string | undefined {
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  try {
    return oneLoginInteger(String(id), 'id');
  } catch {
    return undefined;
  }
}
