import type { GraphQLSchema, VariableDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql';

type Coerced = ReturnType<typeof getVariableValues>;

/** Per variables object (one per request), per operation's definitions: graphql-js's coercion. */
const coercions = new WeakMap<object, WeakMap<readonly VariableDefinitionNode[], Coerced>>();
const NO_DEFINITIONS: readonly VariableDefinitionNode[] = [];

/**
 * graphql-js's coercion of a request's variables (up to 50 errors), worked out
 * once per request: the cost estimate, the `_entities` check and the jit
 * executor each need it, and each used to coerce the same variables again (3
 * coercions before graphql-jit's own). Keyed by the request's variables
 * object, which Apollo hands every plugin hook and the executor as it is, and
 * by the operation's definitions, so nothing is shared between requests.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[] | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
): Coerced {
  const defined = definitions ?? NO_DEFINITIONS;
  if (variables === undefined) return getVariableValues(schema, defined, {}, { maxErrors: 50 });
  let byOperation = coercions.get(variables);
  if (!byOperation) {
    byOperation = new WeakMap();
    coercions.set(variables, byOperation);
  }
  let coerced = byOperation.get(defined);
  if (!coerced) {
    coerced = getVariableValues(schema, defined, variables, { maxErrors: 50 });
    byOperation.set(defined, coerced);
  }
  return coerced;
}
