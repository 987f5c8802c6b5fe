import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type {
  DirectiveNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  SelectionSetNode,
  getVariableValues,
} from 'graphql';
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  BREAK,
  Kind,
  visit,
} from 'graphql';

import { checkEntityRepresentations } from '../../domain/entityRepresentations';
import { ErrorCode } from '../../errors/ErrorCode';
import { coerceVariables } from '../coerceVariables';
import type { Context } from '../context';

/**
 * Checks the `representations` of every `_entities` field of an operation
 * once the operation is resolved and before it executes (with either engine),
 * so that a malformed representation (no `__typename`, a type that is not an
 * entity, an `id` that is an object or out of range) is one BAD_USER_INPUT
 * with HTTP 400, and no OneLogin call is made. See domain/entityRepresentations.
 */
export function entityRepresentationsPlugin(): ApolloServerPlugin<Context> {
  // Apollo keeps one parsed document per query text, so whether it names
  // `_entities` at all is worked out once per document, not per request.
  const mentionsEntities = new WeakMap<DocumentNode, boolean>();
  const listener: GraphQLRequestListener<Context> = {
    async didResolveOperation({ schema, document, operation, request }) {
      // No operation matched `operationName`: execution answers OPERATION_RESOLUTION_FAILURE.
      if (operation?.operation !== 'query') return;
      let mentions = mentionsEntities.get(document);
      if (mentions === undefined) {
        mentions = false;
        visit(document, {
          Field(node) {
            if (node.name.value === '_entities') {
              mentions = true;
              return BREAK;
            }
            return undefined;
          },
        });
        mentionsEntities.set(document, mentions);
      }
      if (!mentions) return;
      const entities = schema.getQueryType()?.getFields()['_entities'];
      if (!entities) return;
      const variables = lazyVariables(() =>
        coerceVariables(schema, operation.variableDefinitions, request.variables),
      );
      const fields = entitiesFields(document, operation.selectionSet, variables);
      if (fields.length === 0) return;
      const coerced = variables();
      // Bad variables are reported by execution, as for any other field.
      if (!coerced) return;
      for (const field of fields) {
        const problem = problemOf(entities, field, coerced);
        if (problem) throw problem;
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

function problemOf(
  definition: GraphQLField<unknown, unknown>,
  field: FieldNode,
  variables: Record<string, unknown>,
): GraphQLError | undefined {
  let representations: unknown;
  try {
    representations = getArgumentValues(definition, field, variables)['representations'];
  } catch {
    return undefined; // Execution reports an argument it cannot coerce.
  }
  const problem = checkEntityRepresentations(representations);
  if (!problem) return undefined;
  return new GraphQLError(problem.message, {
    nodes: field,
    extensions: {
      code: ErrorCode.BAD_USER_INPUT,
      argument: problem.argument,
      http: { status: 400 },
    },
  });
}

/** The coerced variable values, computed once if needed; undefined when they do not coerce. */
function lazyVariables(
  coerce: () => ReturnType<typeof getVariableValues>,
): () => Record<string, unknown> | undefined {
  let result: ReturnType<typeof getVariableValues> | undefined;
  return () => {
    result ??= coerce();
    return result.errors ? undefined : result.coerced;
  };
}

/**
 * The `_entities` fields (under any alias) that a root selection set executes,
 * through fragments, leaving out what `@skip`/`@include` exclude.
 */
function entitiesFields(
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  variables: () => Record<string, unknown> | undefined,
): FieldNode[] {
  const found: FieldNode[] = [];
  let fragments: Map<string, FragmentDefinitionNode> | undefined;
  const visited = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!isIncluded(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '_entities') found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        fragments ??= new Map(
          document.definitions
            .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
            .map((definition) => [definition.name.value, definition]),
        );
        const fragment = fragments.get(name);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return found;
}

/** Whether `@skip`/`@include` let a selection execute (when unsure: yes, so it is checked). */
function isIncluded(
  node: { readonly directives?: readonly DirectiveNode[] },
  variables: () => Record<string, unknown> | undefined,
): boolean {
  if (!node.directives?.length) return true;
  const values = variables() ?? {};
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, values)?.['if'] === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, values)?.['if'] !== false;
  } catch {
    return true;
  }
}
