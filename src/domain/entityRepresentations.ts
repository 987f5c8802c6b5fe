import { GraphQLError } from 'graphql';

import { oneLoginInteger } from './oneLoginId';

/**
 * This subgraph's entity types: the members of its `_Entity` union, each keyed
 * by `id` (`@key(fields: "id")`), a OneLogin numeric id.
 */
export const ENTITY_TYPES: readonly string[] = ['Event', 'EventType', 'User'];

/** What is wrong with a `representations` argument, and where (e.g. `representations[2].id`). */
export interface RepresentationProblem {
  message: string;
  argument: string;
}

const EXAMPLE = '`{ __typename: "Event", id: "1" }`';
const ENTITY_TYPE_LIST = `${ENTITY_TYPES.slice(0, -1).join(', ')} or ${ENTITY_TYPES.at(-1)}`;

/**
 * Checks the `representations` of `_entities` (as a router sends them, after
 * GraphQL coerced the argument) before anything is resolved: each must be an
 * object naming one of this subgraph's entity types in `__typename`, with an
 * `id` that is a OneLogin id (1 to 2147483647) given as a string or an integer.
 * Other fields are allowed and ignored. Returns the first problem, or
 * undefined when every representation is one the resolvers can look up.
 */
export function checkEntityRepresentations(
  representations: unknown,
  argument = 'representations',
): RepresentationProblem | undefined {
  if (!Array.isArray(representations)) {
    return {
      message: `\`${argument}\` must be a list of entity representations such as ${EXAMPLE} (got ${describe(representations)}).`,
      argument,
    };
  }
  for (let index = 0; index < representations.length; index += 1) {
    const problem = checkRepresentation(representations[index], `${argument}[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}

function checkRepresentation(
  representation: unknown,
  argument: string,
): RepresentationProblem | undefined {
  if (
    typeof representation !== 'object' ||
    representation === null ||
    Array.isArray(representation)
  ) {
    return {
      message: `\`${argument}\` must be an entity representation, an object such as ${EXAMPLE} (got ${describe(representation)}).`,
      argument,
    };
  }
  const fields = representation as Record<string, unknown>;
  const typename = Object.hasOwn(fields, '__typename') ? fields['__typename'] : undefined;
  if (typeof typename !== 'string' || !ENTITY_TYPES.includes(typename)) {
    return {
      message:
        typename === undefined
          ? `\`${argument}.__typename\` is required: one of this subgraph's entity types, ${ENTITY_TYPE_LIST}.`
          : `\`${argument}.__typename\` must be one of this subgraph's entity types, ${ENTITY_TYPE_LIST} (got ${describe(typename)}).`,
      argument: `${argument}.__typename`,
    };
  }
  const idArgument = `${argument}.id`;
  const id = Object.hasOwn(fields, 'id') ? fields['id'] : undefined;
  if (id === undefined) {
    return {
      message: `\`${idArgument}\` is required: ${typename} entities are keyed by \`id\`, a OneLogin id.`,
      argument: idArgument,
    };
  }
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isInteger(id))) {
    return {
      message: `\`${idArgument}\` must be a OneLogin id, a whole number from 1 to 2147483647 as a string or an integer (got ${describe(id)}).`,
      argument: idArgument,
    };
  }
  try {
    // The same check the resolvers make, so what passes here resolves there.
    oneLoginInteger(String(id), idArgument);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { message: error.message, argument: idArgument };
  }
  return undefined;
}

/** A short, safe description of a client's value for a message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}
