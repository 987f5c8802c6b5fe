import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type {
  ASTVisitor,
  FragmentDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { GraphQLError, Kind } from 'graphql';

import type { LimitsConfig } from '../config/loadConfig';

/**
 * The shape limits every operation must keep, as validation rules (so they
 * run once per document, before any resolver and any OneLogin call): depth,
 * aliases and directives with graphql-armor's rules, and two of our own:
 * the same field repeated in one selection set, and `createEvent` fields in
 * one mutation. Tokens are limited by the parser (`parseOptions.maxTokens`).
 * Each refusal is OPERATION_LIMIT_EXCEEDED with `extensions.limit` and
 * `extensions.max` (formatError turns the validation error into that code).
 */
export function operationLimitRules(
  limits: Pick<
    LimitsConfig,
    'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxDuplicateFields' | 'createEventsPerRequest'
  >,
): ValidationRule[] {
  const report = (limit: string, max: number) => [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(limitError(error.message.replace(/^Syntax Error: /, ''), limit, max)),
  ];
  return [
    maxDepthRule({
      n: limits.maxDepth,
      // Fields count, fragments do not: a router's `_entities { ... on User { … } }`
      // is as deep as the same selection written inline.
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: report('maxDepth', limits.maxDepth),
    }) as ValidationRule,
    maxAliasesRule({
      n: limits.maxAliases,
      // Aliases of `__typename` count too (armor lets them through by default).
      allowList: [],
      propagateOnRejection: false,
      onReject: report('maxAliases', limits.maxAliases),
    }) as ValidationRule,
    maxDirectivesRule({
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: report('maxDirectives', limits.maxDirectives),
    }) as ValidationRule,
    maxDuplicateFieldsRule(limits.maxDuplicateFields),
    maxCreateEventsRule(limits.createEventsPerRequest),
  ];
}

/** The token limit's refusal as graphql-js words it ("Document contains more that N tokens"). */
export function tokenLimitOf(message: string): number | undefined {
  const match = /Document contains more tha[nt] (\d+) tokens/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function limitError(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(message, { extensions: { limit, max } });
}

/**
 * One selection set may name the same response key at most `max` times: the
 * spec merges repeats, so a thousand `__typename` cost work and say nothing.
 */
function maxDuplicateFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    SelectionSet(node) {
      const counts = new Map<string, number>();
      // An inline fragment without a type condition merges into the selection set around
      // it, so its fields count here too (fragments on different types of an `_entities`
      // selection do not merge, and count apart).
      const count = (set: SelectionSetNode): boolean => {
        for (const selection of set.selections) {
          if (selection.kind === Kind.INLINE_FRAGMENT) {
            if (!selection.typeCondition && count(selection.selectionSet)) return true;
            continue;
          }
          if (selection.kind !== Kind.FIELD) continue;
          const key = selection.alias?.value ?? selection.name.value;
          const seen = (counts.get(key) ?? 0) + 1;
          counts.set(key, seen);
          if (seen === max + 1) {
            context.reportError(
              new GraphQLError(
                `The field \`${key}\` is repeated more than ${max} times in one selection set; name it once.`,
                { nodes: selection, extensions: { limit: 'maxDuplicateFields', max } },
              ),
            );
            return true;
          }
        }
        return false;
      };
      count(node);
    },
  });
}

/**
 * At most `max` `createEvent` in one mutation (under any alias, through
 * fragments): each one writes an audit event, and a forged batch must be
 * refused whole, before the first write.
 */
function maxCreateEventsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      if (operation.operation !== 'mutation') return;
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION)
          fragments.set(definition.name.value, definition);
      }
      let count = 0;
      const seen = new Set<string>();
      const walk = (set: SelectionSetNode) => {
        for (const selection of set.selections) {
          if (selection.kind === Kind.FIELD) {
            if (selection.name.value === 'createEvent') count += 1;
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            walk(selection.selectionSet);
          } else if (!seen.has(selection.name.value)) {
            seen.add(selection.name.value);
            const fragment = fragments.get(selection.name.value);
            if (fragment) walk(fragment.selectionSet);
          }
        }
      };
      walk(operation.selectionSet);
      if (count > max) {
        context.reportError(
          new GraphQLError(
            `This mutation holds ${count} \`createEvent\`; one request may hold at most ${max} (CREATE_EVENTS_PER_REQUEST_MAX).`,
            { nodes: operation, extensions: { limit: 'createEventsPerRequest', max } },
          ),
        );
      }
    },
  });
}
